import { afterEach, describe, expect, it } from 'vitest';
import type { Signal, SignalBody } from '../signaling/channel';
import { createLogger } from './logger';
import { PeerLink } from './negotiation';
import { FakeClock } from './testing/fake-clock';
import { MediaStream, RTCPeerConnection } from './testing/wrtc';

const closing: { close(): void }[] = [];
afterEach(() => closing.splice(0).forEach((c) => c.close()));

describe('answering an offer', () => {
  it('sends the answer before the peer\'s tracks reach the page (attaching them must not delay it)', async () => {
    const events: string[] = [];
    const link = new PeerLink({
      RTCPeerConnection,
      MediaStream,
      configuration: {},
      polite: true,
      clock: new FakeClock(),
      candidateWindowMs: 80,
      send: async (body: SignalBody) => {
        if (body.type === 'description') events.push(`sent ${body.description.type}`);
      },
      log: createLogger('test', () => {}),
      onTrack: (track) => events.push(`track ${track.kind}`),
      onStateChange: () => {},
      onBadSignal: (detail) => events.push(`bad ${detail}`),
      onSendError: () => {},
    });
    closing.push(link);
    const caller = new RTCPeerConnection();
    closing.push(caller);
    caller.addTransceiver('audio', { direction: 'sendrecv' });
    caller.addTransceiver('video', { direction: 'sendrecv' });
    const offer = await caller.createOffer();
    await caller.setLocalDescription(offer);
    const signal = { type: 'description', description: { type: 'offer', sdp: offer.sdp! }, id: 's1', from: 'caller', seq: 1, createdAt: 0 } as Signal;
    await link.handleSignal(signal);
    expect(events).toEqual(['sent answer', 'track audio', 'track video']);
  });
});
