import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Attr, decodeMessage, encodeMessage, MessageClass, Method, xorAddressAttr } from '../../../turn/test/stun';
import type { Signal, SignalBody } from '../signaling/channel';
import { createLogger } from './logger';
import { PeerLink } from './negotiation';
import { FakeClock } from './testing/fake-clock';
import { MediaStream, RTCPeerConnection } from './testing/wrtc';

const closing: { close(): void }[] = [];
afterEach(() => closing.splice(0).forEach((c) => c.close()));

/** The caller's offer as the callee's inbox delivers it, the `seq`th signal of the call. */
function offerSignal(sdp: string, seq: number): Signal {
  return { type: 'description', description: { type: 'offer', sdp }, id: `s${seq}`, from: 'caller', seq, createdAt: 0 } as Signal;
}

/** A callee's PeerLink and a plain caller connection that offered audio and video to it. */
async function answering(configuration: RTCConfiguration = {}, beforeOffer = async () => {}, PeerConnection = RTCPeerConnection) {
  const clock = new FakeClock();
  const events: string[] = [];
  const sent: SignalBody[] = [];
  const link = new PeerLink({
    RTCPeerConnection: PeerConnection,
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
  await beforeOffer();
  const caller = new RTCPeerConnection();
  closing.push(caller);
  caller.addTransceiver('audio', { direction: 'sendrecv' });
  caller.addTransceiver('video', { direction: 'sendrecv' });
  const offer = await caller.createOffer();
  await caller.setLocalDescription(offer);
  const signal = offerSignal(offer.sdp!, 1);
  await link.handleSignal(signal);
  return { clock, events, sent, caller, link, offer };
}

describe('answering an offer', () => {
  it("sends the answer and our first candidates before the peer's tracks reach the page (attaching them must not delay either)", async () => {
    const { clock, events, sent } = await answering();
    expect(events).toEqual(['sent answer']);
    // wrtc gathers for real (host candidates only here) while the fake clock stands still, so the cap
    // cannot fire however slow the machine: the batch that ends gathering leaves, then the tracks follow.
    const startedAt = clock.now();
    await vi.waitFor(
      async () => {
        await clock.advance(0); // "now" timers only
        expect(events).toContain('track video');
      },
      { timeout: 10_000 },
    );
    expect(clock.now()).toBe(startedAt);
    const last = events.lastIndexOf('sent candidates');
    expect(last).toBeGreaterThan(0);
    expect(events.slice(last + 1)).toEqual(['track audio', 'track video']);
    expect(sent.at(-1)).toMatchObject({ type: 'candidates', done: true });
  });

  it('hands the tracks over after a short while when no candidate batch leaves', async () => {
    // Relay only, without a TURN server: there will be no candidate to send.
    const { clock, events } = await answering({ iceTransportPolicy: 'relay' });
    await clock.advance(499);
    expect(events).toEqual(['sent answer']);
    await clock.advance(1);
    expect(events).toEqual(['sent answer', 'track audio', 'track video']);
  });

  it('a second offer during the hold keeps the first hold (and its cap), and every track still arrives', async () => {
    const { clock, events, link, offer } = await answering({ iceTransportPolicy: 'relay' });
    await clock.advance(300);
    const again = offerSignal(offer.sdp!, 2);
    await link.handleSignal(again);
    expect(events.filter((e) => e.startsWith('track'))).toEqual([]);
    await clock.advance(200);
    expect(events.filter((e) => e.startsWith('track'))).toEqual(['track audio', 'track video']);
  });

  it('answers from its candidate pool (the warm line) instead of gathering again', async () => {
    const stun = await stunServer();
    closing.push(stun);
    // The pool's sockets (one per local address) ask the STUN server for their public address as
    // soon as the connection is made; the offer comes once every one of them has asked.
    const { clock, sent } = await answering(
      { iceServers: [{ urls: `stun:127.0.0.1:${stun.port}` }], iceCandidatePoolSize: 1 },
      async () => {
        await vi.waitFor(() => expect(stun.askedFrom.size).toBeGreaterThan(0));
        await new Promise((resolve) => setTimeout(resolve, 300));
      },
    );
    const pooled = [...stun.askedFrom];
    await vi.waitFor(async () => {
      await clock.advance(20);
      expect(sent.at(-1)).toMatchObject({ type: 'candidates', done: true });
    });
    // A second gathering would ask again from new sockets (Chromium drops the pool on a plain answer).
    expect([...stun.askedFrom]).toEqual(pooled);
  });

  it('answers outright where the browser refuses a provisional answer (Firefox 153), and the call connects', async () => {
    /** Firefox's answer to `setLocalDescription({ type: 'pranswer' })`. */
    class NoProvisionalAnswers extends RTCPeerConnection {
      override async setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
        if (description?.type === 'pranswer') throw new DOMException('pranswer not yet implemented', 'NotSupportedError');
        return super.setLocalDescription(description);
      }
    }
    const { events, sent, caller, link } = await answering({ iceCandidatePoolSize: 1 }, async () => {}, NoProvisionalAnswers);
    expect(events).toEqual(['sent answer']);
    const answer = sent[0] as Extract<SignalBody, { type: 'description' }>;
    await caller.setRemoteDescription(answer.description);
    caller.onicecandidate = (event) => {
      if (event.candidate) void link.handleSignal(candidatesFrom(event.candidate));
    };
    await vi.waitFor(() => expect(caller.connectionState).toBe('connected'), { timeout: 10_000 });
  });
});

let candidateSeq = 1;
/** One of the caller's candidates as the signal that would carry it. */
function candidatesFrom(candidate: RTCIceCandidate): Signal {
  candidateSeq += 1;
  return {
    type: 'candidates',
    candidates: [candidate.toJSON()],
    done: false,
    id: `c${candidateSeq}`,
    from: 'caller',
    seq: candidateSeq,
    createdAt: 0,
  } as Signal;
}

/** A STUN server on loopback that answers Binding requests and remembers which sockets asked. */
async function stunServer() {
  const socket = createSocket('udp4');
  const askedFrom = new Set<string>();
  socket.on('message', (packet, from) => {
    const request = decodeMessage(packet);
    if (!request || request.method !== Method.Binding || request.cls !== MessageClass.Request) return;
    askedFrom.add(`${from.address}:${from.port}`);
    const mapped = xorAddressAttr(Attr.XorMappedAddress, { address: from.address, port: from.port }, request.transactionId);
    socket.send(
      encodeMessage({ method: Method.Binding, cls: MessageClass.Success, transactionId: request.transactionId, attributes: [mapped] }),
      from.port,
      from.address,
    );
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, askedFrom, close: () => socket.close() };
}

describe('forcing a key frame (after an outage)', () => {
  /** A video sender that remembers each active flag set; `refuseOn` refuses that many switches back on. */
  function videoSender(active = true) {
    const sender = {
      track: { kind: 'video', readyState: 'live' },
      current: { transactionId: 't0', encodings: [{ active }] as RTCRtpEncodingParameters[] },
      seen: [] as boolean[],
      refuseOn: 0,
      getParameters: () => structuredClone(sender.current),
      setParameters: async (parameters: { transactionId: string; encodings: RTCRtpEncodingParameters[] }) => {
        const on = parameters.encodings[0]!.active !== false;
        if (on && sender.refuseOn > 0) {
          sender.refuseOn -= 1;
          throw new Error('InvalidModificationError: the parameters changed meanwhile');
        }
        sender.seen.push(on);
        sender.current = { ...structuredClone(parameters), transactionId: `t${sender.seen.length}` };
      },
    };
    return sender;
  }

  /** Forces a key frame on an answering link whose video sender is `sender`; what the sender saw. */
  async function forceKeyFrame(sender: ReturnType<typeof videoSender>) {
    const { link } = await answering();
    vi.spyOn(link, 'senderFor').mockReturnValue(sender as unknown as RTCRtpSender);
    await link.sendKeyFrame();
    return { seen: sender.seen, activeNow: sender.current.encodings[0]!.active };
  }

  it('switches the video off and straight back on (Chromium starts a re-activated layer with a key frame)', async () => {
    expect(await forceKeyFrame(videoSender())).toEqual({ seen: [false, true], activeNow: true });
  });

  it('never leaves the video off when a concurrent change refuses the switch back on once', async () => {
    const sender = videoSender();
    sender.refuseOn = 1;
    expect(await forceKeyFrame(sender)).toEqual({ seen: [false, true], activeNow: true });
  });

  it('leaves video that is paused for bandwidth paused', async () => {
    expect(await forceKeyFrame(videoSender(false))).toEqual({ seen: [], activeNow: false });
  });
});
