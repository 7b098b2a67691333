/** The port's contract against the in-memory store (the store the engine tests and the lab use). */
import { describeSignalingContract } from './contract';
import { MemoryStore } from './memory';

describeSignalingContract('memory store', () => {
  const store = new MemoryStore();
  return {
    channel: (uid) => store.channel(uid),
    injectSignal: async (callId, raw) => {
      store.injectSignal(callId, raw);
      // The store applies it on a zero-latency timer queued before this one.
      await new Promise((resolve) => setTimeout(resolve, 1));
    },
  };
});
