/**
 * A generated corpus of malformed and hostile signal documents, as a misbehaving or
 * malicious peer (or a third party) could write them. Each case says what the callee
 * must do: fail the call with `bad-signal`, or drop the document with a log line.
 */

export type HostileOutcome = 'bad-signal' | 'dropped';

export interface HostileCase {
  name: string;
  /** Documents written in order into the call's signals; `peer` is the legitimate caller's uid. */
  docs: (peer: string) => unknown[];
  expect: HostileOutcome;
  /** For dropped cases: what the log line says. */
  log?: RegExp;
}

export const VALID_SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:Ab3d',
  'a=ice-pwd:aaaaaaaaaaaaaaaaaaaaaaaa',
  'a=fingerprint:sha-256 12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendrecv',
  'a=rtpmap:111 opus/48000/2',
  '',
].join('\r\n');

export const VALID_CANDIDATE = {
  candidate: 'candidate:1 1 udp 2122260223 192.0.2.10 54400 typ host generation 0',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

let n = 0;
/** A well-formed signal from `from`, with overrides. */
export function signal(from: string, seq: number, body: Record<string, unknown>): Record<string, unknown> {
  return { id: `h${++n}`, from, seq, createdAt: 1_700_000_000_000, ...body };
}

const description = (sdp: unknown, type: unknown = 'offer') => ({ type: 'description', description: { type, sdp } });
const candidates = (list: unknown, extra: Record<string, unknown> = {}) => ({ type: 'candidates', candidates: list, ...extra });

function sdpVariants(): [string, unknown][] {
  const lines = VALID_SDP.trim().split('\r\n');
  const without = (prefix: string) => lines.filter((l) => !l.startsWith(prefix)).join('\r\n');
  const media = lines.slice(5).join('\r\n');
  return [
    ['empty SDP', ''],
    ['SDP is a number', 42],
    ['SDP is an object', { v: 0 }],
    ['SDP is a list', ['v=0']],
    ['SDP is null', null],
    ['SDP without v=0', without('v=')],
    ['SDP with v=1', VALID_SDP.replace('v=0', 'v=1')],
    ['SDP without o=', without('o=')],
    ['SDP without media', lines.slice(0, 5).join('\r\n')],
    ['SDP without fingerprint', without('a=fingerprint')],
    ['SDP without ice-ufrag', without('a=ice-ufrag')],
    ['SDP without ice-pwd', without('a=ice-pwd')],
    ['SDP with a NUL byte', VALID_SDP.replace('s=-', 's=\u0000')],
    ['SDP with an escape sequence', VALID_SDP.replace('s=-', 's=\u001b[31m')],
    ['SDP with a bare line', VALID_SDP.replace('s=-', 's=-\r\nhello world')],
    ['SDP with an uppercase key', VALID_SDP.replace('s=-', 'S=-')],
    ['SDP with an empty value', VALID_SDP.replace('s=-', 's=')],
    ['SDP with a malformed m= line', VALID_SDP.replace('m=audio 9 UDP/TLS/RTP/SAVPF 111', 'm=audio nine RTP')],
    ['SDP with an unknown media kind', VALID_SDP.replace('m=audio', 'm=evil')],
    ['SDP with a port out of range digits', VALID_SDP.replace('m=audio 9 ', 'm=audio 1234567 ')],
    ['SDP of 70 KB', VALID_SDP + `a=x-pad:${'y'.repeat(70_000)}\r\n`],
    ['SDP of 2000 short lines', VALID_SDP + 'a=x\r\n'.repeat(2000)],
    ['SDP with a 5000-character line', VALID_SDP + `a=x-long:${'z'.repeat(5000)}\r\n`],
    ['SDP with 9 media sections', [lines.slice(0, 5).join('\r\n'), ...Array(9).fill(media)].join('\r\n')],
    ['SDP of HTML', '<html><script>alert(1)</script></html>'],
    ['SDP of JSON', JSON.stringify({ type: 'offer' })],
    ['SDP with only whitespace', '   \r\n  '],
    ['SDP of one newline', '\r\n'],
    ['SDP with leading space', ` ${VALID_SDP}`],
    ['SDP with a lone CR line break', VALID_SDP.replace('s=-\r\n', 's=-\rt=1\r\n')],
  ];
}

function candidateVariants(): [string, unknown][] {
  const c = (line: string, extra: Record<string, unknown> = {}) => ({ ...VALID_CANDIDATE, candidate: line, ...extra });
  const base = VALID_CANDIDATE.candidate;
  return [
    ['candidate is null', null],
    ['candidate is a string', base],
    ['candidate is a list', [base]],
    ['candidate line missing', { sdpMid: '0' }],
    ['candidate line a number', c(42 as unknown as string)],
    ['candidate line too long', c(`${base} ${'x'.repeat(600)}`)],
    ['candidate line without prefix', c(base.replace('candidate:', ''))],
    ['candidate empty foundation', c(base.replace('candidate:1', 'candidate:'))],
    ['candidate component not a number', c(base.replace(' 1 udp', ' one udp'))],
    ['candidate transport sctp', c(base.replace('udp', 'sctp'))],
    ['candidate priority not a number', c(base.replace('2122260223', 'high'))],
    ['candidate priority too long', c(base.replace('2122260223', '21222602231234'))],
    ['candidate address with script', c(base.replace('192.0.2.10', '<script>'))],
    ['candidate address with quote', c(base.replace('192.0.2.10', '192.0.2.10"'))],
    ['candidate port 70000', c(base.replace('54400', '70000'))],
    ['candidate port negative', c(base.replace('54400', '-1'))],
    ['candidate port text', c(base.replace('54400', 'http'))],
    ['candidate without typ', c(base.replace('typ host', 'host host'))],
    ['candidate type evil', c(base.replace('typ host', 'typ evil'))],
    ['candidate type missing', c('candidate:1 1 udp 2122260223 192.0.2.10 54400 typ')],
    ['candidate extension with brackets', c(`${base} x-evil <b>`)],
    ['candidate extension too long', c(`${base} ${'e'.repeat(200)}`)],
    ['candidate sdpMid too long', c(base, { sdpMid: 'm'.repeat(40) })],
    ['candidate sdpMid with spaces', c(base, { sdpMid: 'a b' })],
    ['candidate sdpMid a number', c(base, { sdpMid: 0 })],
    ['candidate sdpMLineIndex negative', c(base, { sdpMLineIndex: -1 })],
    ['candidate sdpMLineIndex 99', c(base, { sdpMLineIndex: 99 })],
    ['candidate sdpMLineIndex fractional', c(base, { sdpMLineIndex: 0.5 })],
    ['candidate sdpMLineIndex text', c(base, { sdpMLineIndex: '0' })],
    ['candidate with neither mid nor index', { candidate: base }],
    ['candidate ufrag with markup', c(base, { usernameFragment: '<u>' })],
    ['candidate ufrag too long', c(base, { usernameFragment: 'u'.repeat(300) })],
    ['candidate with an unknown field', c(base, { url: 'turn:evil' })],
    ['candidate with a __proto__ field', JSON.parse(`{"candidate":"${base}","sdpMid":"0","__proto__":{"polluted":true}}`)],
  ];
}

/** The whole corpus (>= 200 cases). */
export function hostileCorpus(): HostileCase[] {
  const cases: HostileCase[] = [];
  const bad = (name: string, body: Record<string, unknown>, seq = 1) =>
    cases.push({ name, expect: 'bad-signal', docs: (peer) => [signal(peer, seq, body)] });
  const raw = (name: string, doc: (peer: string) => unknown, expect: HostileOutcome, log?: RegExp) =>
    cases.push({ name, expect, docs: (peer) => [doc(peer)], ...(log ? { log } : {}) });

  // Broken and oversized SDP, in offers and in answers.
  for (const [name, sdp] of sdpVariants()) {
    bad(`offer: ${name}`, description(sdp, 'offer'));
    bad(`answer: ${name}`, description(sdp, 'answer'));
  }
  // Description shape.
  bad('description type pranswer', description(VALID_SDP, 'pranswer'));
  bad('description type rollback', description(VALID_SDP, 'rollback'));
  bad('description type missing', { type: 'description', description: { sdp: VALID_SDP } });
  bad('description missing', { type: 'description' });
  bad('description is a string', { type: 'description', description: VALID_SDP });
  bad('description with an extra field', { type: 'description', description: { type: 'offer', sdp: VALID_SDP, evil: 1 } });
  bad('description carrying candidates', { ...description(VALID_SDP), candidates: [VALID_CANDIDATE] });

  // Bad candidates, alone and hidden among good ones.
  for (const [name, candidate] of candidateVariants()) {
    bad(`${name}`, candidates([candidate]));
    bad(`${name}, after a good one`, candidates([VALID_CANDIDATE, candidate]));
  }
  bad('candidates not a list', candidates({ 0: VALID_CANDIDATE }));
  bad('candidates a string', candidates('candidate:1'));
  bad('13 candidates in one signal', candidates(Array(13).fill(VALID_CANDIDATE)));
  bad('empty candidates without done', candidates([]));
  bad('done is text', candidates([VALID_CANDIDATE], { done: 'yes' }));
  bad('candidates carrying a description', candidates([VALID_CANDIDATE], { description: { type: 'offer', sdp: VALID_SDP } }));

  // Wrong types and fields.
  for (const type of ['Description', 'offer', 'answer', 'candidate', 'ice', '', ' bye', 'BYE', 'hangup', 'toString', '__proto__'])
    bad(`type ${JSON.stringify(type)}`, { type });
  for (const type of [null, 1, true, ['bye'], { bye: 1 }]) bad(`type ${JSON.stringify(type)}`, { type });
  bad('no type', {});
  bad('bye reason with spaces', { type: 'bye', reason: 'because I say so' });
  bad('bye reason too long', { type: 'bye', reason: 'r'.repeat(100) });
  bad('bye reason a number', { type: 'bye', reason: 7 });
  bad('bye carrying a description', { type: 'bye', description: { type: 'offer', sdp: VALID_SDP } });
  bad('unknown field', { ...candidates([VALID_CANDIDATE]), admin: true });
  raw(
    'own __proto__ field',
    (peer) => JSON.parse(`{"id":"p1","from":"${peer}","seq":1,"createdAt":1,"type":"bye","__proto__":{"isAdmin":true}}`),
    'bad-signal',
  );
  raw('constructor field', (peer) => ({ ...signal(peer, 1, { type: 'bye' }), constructor: 'x' }), 'bad-signal');
  for (const [name, patch] of [
    ['id missing', { id: undefined }],
    ['id empty', { id: '' }],
    ['id a number', { id: 5 }],
    ['id too long', { id: 'i'.repeat(200) }],
    ['seq zero', { seq: 0 }],
    ['seq negative', { seq: -3 }],
    ['seq fractional', { seq: 1.5 }],
    ['seq text', { seq: '1' }],
    ['seq NaN', { seq: Number.NaN }],
    ['seq beyond safe integers', { seq: 2 ** 60 }],
    ['seq far ahead', { seq: 1000 }],
    ['createdAt text', { createdAt: 'yesterday' }],
    ['createdAt missing', { createdAt: undefined }],
    ['createdAt infinite', { createdAt: Number.POSITIVE_INFINITY }],
  ] as const) {
    raw(
      name,
      (peer) =>
        JSON.parse(
          JSON.stringify({ ...signal(peer, 1, candidates([VALID_CANDIDATE])), ...patch }, (_k, v) =>
            typeof v === 'number' && !Number.isFinite(v) ? `${v}` : v,
          ),
        ) as unknown,
      'bad-signal',
    );
  }

  // Not from the peer: dropped, never allowed to end someone else's call.
  for (const from of ['eve', 'mallory-admin', '', 'x'.repeat(300), 42, null, undefined]) {
    raw(
      `foreign sender ${JSON.stringify(from)?.slice(0, 20)}`,
      () => ({ ...signal('eve', 1, { type: 'bye' }), from }),
      'dropped',
      /foreign sender/,
    );
  }
  for (const doc of [null, 42, 'bye', [], true, 0]) raw(`not an object: ${JSON.stringify(doc)}`, () => doc, 'dropped', /foreign sender/);

  // Replays and duplicates of a valid first signal.
  const first = (peer: string) => signal(peer, 1, candidates([VALID_CANDIDATE]));
  cases.push({
    name: 'same document twice',
    expect: 'dropped',
    log: /duplicate/,
    docs: (peer) => {
      const doc = first(peer);
      return [doc, { ...doc }];
    },
  });
  for (let k = 0; k < 6; k++) {
    cases.push({
      name: `replayed seq 1 with a new id (${k})`,
      expect: 'dropped',
      log: /replayed seq/,
      docs: (peer) => [first(peer), signal(peer, 1, k % 2 ? { type: 'bye' } : candidates([VALID_CANDIDATE]))],
    });
  }
  cases.push({
    name: 'replayed seq 2 after 3',
    expect: 'dropped',
    log: /replayed seq/,
    docs: (peer) => [
      first(peer),
      signal(peer, 2, candidates([VALID_CANDIDATE])),
      signal(peer, 3, candidates([VALID_CANDIDATE])),
      signal(peer, 2, { type: 'bye' }),
    ],
  });
  cases.push({
    name: '401 signals from one peer',
    expect: 'bad-signal',
    docs: (peer) => Array.from({ length: 401 }, (_, i) => signal(peer, i + 1, candidates([VALID_CANDIDATE]))),
  });

  // After bye, nothing more is accepted (the call already ended).
  const afterBye: [string, (peer: string) => Record<string, unknown>][] = [
    ['valid candidates', (peer) => signal(peer, 2, candidates([VALID_CANDIDATE]))],
    ['an offer', (peer) => signal(peer, 2, description(VALID_SDP))],
    ['broken SDP', (peer) => signal(peer, 2, description('garbage'))],
    ['a second bye', (peer) => signal(peer, 2, { type: 'bye' })],
    ['a far-ahead seq', (peer) => signal(peer, 99, { type: 'bye' })],
    ['a foreign sender', () => signal('eve', 2, { type: 'bye' })],
  ];
  for (const [name, doc] of afterBye) {
    cases.push({
      name: `signal after bye: ${name}`,
      expect: 'dropped',
      log: /after bye|foreign sender/,
      docs: (peer) => [signal(peer, 1, { type: 'bye' }), doc(peer)],
    });
  }
  return cases;
}
