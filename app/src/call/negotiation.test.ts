import { afterEach, describe, expect, it } from 'vitest';
import type { Signal, SignalBody } from '../signaling/channel';
import { createLogger } from './logger';
import { PeerLink } from './negotiation';
import { FakeClock } from './testing/fake-clock';
import { MediaStream, RTCPeerConnection } from './testing/wrtc';

const closing: { close(): void }[] = [];
afterEach(() => closing.splice(0).forEach((c) => c.close()));

/** A callee's PeerLink and a plain caller connection that offered audio and video to it. */
async function answering(configuration: RTCConfiguration = {}) {
  const clock = new FakeClock();
  const events: string[] = [];
  const sent: SignalBody[] = [];
  const link = new PeerLink({
    RTCPeerConnection,
    MediaStream,
    configuration,
    polite: true,
    clock,
    candidateWindowMs: 80,
    send: async (body: SignalBody) => {
      sent.push(body);
      events.push(body.type === 'description' ? `sent ${body.description.type}` : `sent ${body.type}`);
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
  return { clock, events, sent, caller };
}

/** Lets the browser's network thread deliver its events (wrtc gathers for real). */
const settle = (ms = 200) => new Promise((resolve) => setTimeout(resolve, ms));

describe('answering an offer', () => {
  it('sends the answer and our first candidates before the peer\'s tracks reach the page (attaching them must not delay either)', async () => {
    const { clock, events } = await answering();
    expect(events).toEqual(['sent answer']);
    await settle();
    await clock.advance(80);
    expect(events).toEqual(['sent answer', 'sent candidates', 'track audio', 'track video']);
  });

  it('hands the tracks over after a short while when no candidate batch leaves', async () => {
    // Relay only, without a TURN server: there will be no candidate to send.
    const { clock, events } = await answering({ iceTransportPolicy: 'relay' });
    await settle();
    await clock.advance(400);
    expect(events).toEqual(['sent answer']);
    await clock.advance(100);
    expect(events).toEqual(['sent answer', 'track audio', 'track video']);
  });
});
