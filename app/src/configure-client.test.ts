// @vitest-environment happy-dom
import { createServer, type Server, type Socket } from 'node:net';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { connectFirestoreEmulator, getFirestore, setLogLevel, terminate } from 'firebase/firestore';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from './call/testing/fake-clock';
import { MediaStream, RTCPeerConnection } from './call/testing/wrtc';
import type { IceServerProvider } from './call/types';
import { signedInClient, unreachableSignaling } from './configure-client';
import { defineFirecallElements, setCallClient } from './elements/index';
import type { SignalingChannel, StartCallInput } from './signaling/channel';
import { MemoryStore } from './signaling/memory';
import { createFirestoreSignaling } from './signaling/firestore';

type CallElement = HTMLElement & { call(): void; snapshot: { state: string; callId: string | null } | null };

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  document.documentElement.lang = '';
});

/**
 * A Firestore backend that accepts connections and never answers, like one behind a firewall
 * that drops the traffic: the SDK queues every write and waits.
 */
async function silentFirestore(): Promise<SignalingChannel> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const app: FirebaseApp = initializeApp({ apiKey: 'demo-api-key', projectId: 'demo-firecall', appId: '1:1:web:1' }, `silent-${port}`);
  const db = getFirestore(app);
  connectFirestoreEmulator(db, '127.0.0.1', port);
  cleanup.push(async () => {
    await terminate(db).catch(() => undefined);
    await deleteApp(app);
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return createFirestoreSignaling({ db, uid: 'uid-of-ben' });
}

/** Ben's <video-call> to Ana on a page in `lang`, with the client configure() would give him. */
function videoCallOn(
  lang: string,
  signaling: SignalingChannel,
  iceServers: IceServerProvider,
  clock: FakeClock,
  signalingAnswers?: () => Promise<void>,
) {
  document.documentElement.lang = lang;
  defineFirecallElements();
  // The camera is still starting throughout: what the user waits for here is the call service.
  const warnings: string[] = [];
  const camera = { getUserMedia: () => new Promise<never>(() => undefined) };
  const client = signedInClient({
    signaling,
    signalingAnswers,
    iceServers,
    engine: {
      clock,
      mediaDevices: camera,
      permissions: null,
      RTCPeerConnection,
      MediaStream,
      keepLineWarm: false,
      onPageHide: null,
      onNetworkChange: null,
      onNetworkLost: null,
      log: (level, _name, message) => {
        if (level === 'warn') warnings.push(message);
      },
    },
  });
  setCallClient(client);
  const element = document.createElement('video-call') as CallElement;
  element.setAttribute('callee', 'uid-of-ana');
  element.setAttribute('callee-name', 'Ana');
  const heard: { ended: unknown[]; errors: unknown[] } = { ended: [], errors: [] };
  element.addEventListener('firecall-ended', (e) => heard.ended.push((e as CustomEvent).detail));
  element.addEventListener('firecall-error', (e) => heard.errors.push((e as CustomEvent).detail));
  document.body.append(element);
  cleanup.push(
    () => element.remove(),
    () => setCallClient(null),
    () => client.dispose(),
  );
  const status = () => element.shadowRoot?.querySelector('[part~="status"] .status-text')?.textContent ?? null;
  return { element, status, heard, warnings };
}

/** Bound for what happens on real timers (Vue renders, the engine's promise chains), not for the call service. */
const soon = { timeout: 10_000 };

const turn: IceServerProvider = async () => ({ iceServers: [], expiresAt: Date.now() + 3600_000 });

beforeEach(() => setLogLevel('silent'));

describe('when the call service cannot be reached, the element says so within 5 s', () => {
  it('Firestore never acknowledges the call: "Anrufdienst nicht erreichbar" 4 s after the click, with a typed reason', async () => {
    const clock = new FakeClock();
    const { element, status, heard } = videoCallOn('de', await silentFirestore(), turn, clock);
    await vi.waitFor(() => expect(status()).toBe('Bereit, Ana anzurufen'), soon);

    element.call();
    // The call document is on its way (the fake clock has not moved since the click).
    await vi.waitFor(() => expect(element.snapshot?.callId).toBeTruthy(), soon);
    await clock.advance(3_999);
    expect(heard.ended).toEqual([]);
    expect(element.snapshot?.state).toBe('requesting-media');

    await clock.advance(1);
    const sentence = 'der Anrufdienst ist nicht erreichbar. Prüfen Sie Ihre Internetverbindung und versuchen Sie es erneut.';
    await vi.waitFor(() => expect(status()).toBe(`Anruf fehlgeschlagen: ${sentence}`), soon);
    expect(heard.ended).toEqual([
      expect.objectContaining({ state: 'failed', reason: 'signaling-unavailable', message: `Anruf fehlgeschlagen: ${sentence}` }),
    ]);
    expect(heard.errors).toEqual([{ reason: 'signaling-unavailable', message: `D${sentence.slice(1)}` }]);
  });

  it('a slow write to a server that answers is waited for: the call rings at 6 s instead of failing at 4', async () => {
    const clock = new FakeClock();
    const memory = new MemoryStore().channel('uid-of-ben');
    let land!: () => void;
    const landed = new Promise<void>((resolve) => (land = resolve));
    const slowWrites = new Proxy(memory, {
      get: (target, key) =>
        key === 'startCall' ? (input: StartCallInput) => landed.then(() => target.startCall(input)) : Reflect.get(target, key),
    });
    let probes = 0;
    const answers = async () => {
      probes += 1;
    };
    const { element, heard } = videoCallOn('en', slowWrites, turn, clock, answers);
    element.call();
    await vi.waitFor(() => expect(element.snapshot?.callId).toBeTruthy(), soon);
    await clock.advance(6_000);
    expect(element.snapshot?.state).toBe('requesting-media');
    expect(probes).toBeGreaterThan(0);

    land();
    await vi.waitFor(() => expect(element.snapshot?.state).toBe('ringing'), soon);
    expect(heard.errors).toEqual([]);
  });

  it('signaling that never started: a signed-in user is offered the call, and it fails at once instead of saying "sign in"', async () => {
    const clock = new FakeClock();
    const { element, status, heard } = videoCallOn(
      'de',
      unreachableSignaling('uid-of-ben', 'firebase/firestore failed to load'),
      turn,
      clock,
    );
    await vi.waitFor(() => expect(status()).toBe('Bereit, Ana anzurufen'), soon);

    element.call();
    await vi.waitFor(() => expect(element.snapshot?.state).toBe('failed'), soon);
    expect(status()).toBe(
      'Anruf fehlgeschlagen: der Anrufdienst ist nicht erreichbar. Prüfen Sie Ihre Internetverbindung und versuchen Sie es erneut.',
    );
    expect(heard.ended).toEqual([expect.objectContaining({ reason: 'signaling-unavailable' })]);
  });
});
