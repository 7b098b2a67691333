/**
 * The documented API of the elements: attributes, properties, methods, events,
 * parts and CSS custom properties. custom-elements.json and the README tables are
 * generated from it; contract.test.ts checks it against the components.
 */
import type { CallReason } from '../call/types';

/**
 * Why a `firecall-error` fired: an engine reason (the call could not be placed or answered),
 * or a request the element could not carry out. Each has a sentence in every bundled language.
 */
export type FirecallErrorReason = CallReason | 'invalid-callee' | 'no-call' | 'unexpected';

/** The element's own reasons (engine reasons are documented with the engine's). */
export const elementErrorReasons: Array<{ reason: Exclude<FirecallErrorReason, CallReason>; description: string }> = [
  { reason: 'invalid-callee', description: 'call() on an element without a callee.' },
  { reason: 'no-call', description: 'accept() while nothing rings.' },
  { reason: 'unexpected', description: 'anything else; `detail` has the technical text for support.' },
];

export interface Member {
  name: string;
  description: string;
  type?: string;
  /** Kebab-case attribute; absent for property-only members. */
  attribute?: string;
  /** The element sets it; a page only reads it. */
  readonly?: true;
}

export interface ElementContract {
  tagName: string;
  className: string;
  description: string;
  members: Member[];
  methods: Array<{ name: string; description: string; returns: string }>;
  events: Array<{ name: string; description: string; detail: string }>;
  parts: Array<{ name: string; description: string }>;
}

const callMembers: Member[] = [
  { name: 'callee', attribute: 'callee', type: 'string', description: 'uid of the person to call.' },
  {
    name: 'calleeName',
    attribute: 'callee-name',
    type: 'string',
    description: 'Name shown and spoken ("Calling Ana"); the uid when empty.',
  },
  {
    name: 'recordType',
    attribute: 'record-type',
    type: 'string',
    description: 'CRM record type the call is about (e.g. "ticket"); with record-id it goes into the call log.',
  },
  { name: 'recordId', attribute: 'record-id', type: 'string', description: 'CRM record id the call is about.' },
  { name: 'recordLabel', attribute: 'record-label', type: 'string', description: 'Human label of the record, shown to both sides.' },
  { name: 'messages', type: 'Partial<FirecallMessages>', description: 'Per-element message overrides (property only).' },
  { name: 'snapshot', type: 'CallSnapshot | null', readonly: true, description: 'Read-only: the current call as the engine reports it.' },
];

const stateEvent = {
  name: 'firecall-state',
  description: 'Every state or phase change.',
  detail: 'FirecallStateDetail { callId, state, phase, direction, reason, timings }',
};
const endedEvent = {
  name: 'firecall-ended',
  description: 'The call ended or failed.',
  detail: 'FirecallEndedDetail { callId, state, reason, message, timings, duration }',
};
const errorEvent = {
  name: 'firecall-error',
  description: 'A request could not be carried out (e.g. not signed in).',
  detail: 'FirecallErrorDetail { reason: FirecallErrorReason, message, detail? }',
};

const commonParts = [
  { name: 'base', description: 'The card around everything.' },
  { name: 'title', description: 'Who the call is with, and the CRM record.' },
  { name: 'context', description: 'The CRM record label inside the title.' },
  { name: 'header', description: 'Status line and quality indicator.' },
  { name: 'status', description: 'The state in words ("Connected 00:12").' },
  { name: 'status-detail', description: 'Second status line ("Ringing", "Your video is paused...", "Ana\'s video is paused...").' },
  { name: 'quality', description: 'Quality indicator (data-level good|fair|poor|lost).' },
  { name: 'progress-bar', description: 'Animated bar while media, ringing or ICE are in progress.' },
  { name: 'progress', description: 'ICE steps list while connecting.' },
  { name: 'controls', description: 'The row of buttons.' },
  { name: 'control', description: 'Every in-call button.' },
  { name: 'mute-button', description: 'Mute / unmute.' },
  { name: 'devices-button', description: 'Opens the device picker.' },
  { name: 'device-picker', description: 'Microphone and camera selects.' },
  { name: 'hang-up-button', description: 'Hang up.' },
  { name: 'stats-toggle', description: 'Shows or hides call details.' },
  { name: 'stats', description: 'Call details panel (path, quality, setup times).' },
];
const videoParts = [
  { name: 'stage', description: 'The video area.' },
  { name: 'remote-video', description: "The other person's video." },
  { name: 'local-video', description: 'Your own preview.' },
  { name: 'camera-button', description: 'Camera on / off.' },
  { name: 'share-button', description: 'Start / stop screen sharing.' },
];

export const cssProperties: Array<{ name: string; description: string; default: string }> = [
  { name: '--firecall-font', description: 'Font family.', default: 'system-ui, sans-serif' },
  { name: '--firecall-bg', description: 'Card background.', default: '#ffffff' },
  { name: '--firecall-fg', description: 'Text colour.', default: '#1d2433' },
  { name: '--firecall-muted-fg', description: 'Secondary text.', default: '#566072' },
  { name: '--firecall-border', description: 'Borders and inactive bars.', default: '#c9d0db' },
  { name: '--firecall-control-bg', description: 'Button background.', default: '#f3f5f8' },
  { name: '--firecall-accent', description: 'Call / accept buttons, progress.', default: '#1a5fd0' },
  { name: '--firecall-accent-fg', description: 'Text on accent.', default: '#ffffff' },
  { name: '--firecall-success', description: 'Good quality.', default: '#1b7f3b' },
  { name: '--firecall-warning', description: 'Fair quality, reconnecting.', default: '#8a5a00' },
  { name: '--firecall-danger', description: 'Hang up, failures, poor quality.', default: '#b3261e' },
  { name: '--firecall-danger-fg', description: 'Text on danger.', default: '#ffffff' },
  { name: '--firecall-radius', description: 'Corner radius.', default: '8px' },
  { name: '--firecall-focus-ring', description: 'Keyboard focus outline.', default: '3px solid #1a5fd0' },
  { name: '--firecall-video-aspect', description: 'Aspect ratio of the video area.', default: '16 / 9' },
];

export const elements: ElementContract[] = [
  {
    tagName: 'video-call',
    className: 'VideoCallElement',
    description: 'A video call to one contact, optionally about a CRM record.',
    members: callMembers,
    methods: [
      { name: 'call', description: 'Places the call (no-op while one is under way).', returns: 'void' },
      { name: 'hangUp', description: 'Cancels or ends the call.', returns: 'Promise<void>' },
    ],
    events: [stateEvent, endedEvent, errorEvent],
    parts: [...commonParts, { name: 'call-button', description: 'Starts the call.' }, ...videoParts],
  },
  {
    tagName: 'voice-call',
    className: 'VoiceCallElement',
    description: 'An audio-only call to one contact, optionally about a CRM record.',
    members: callMembers,
    methods: [
      { name: 'call', description: 'Places the call (no-op while one is under way).', returns: 'void' },
      { name: 'hangUp', description: 'Cancels or ends the call.', returns: 'Promise<void>' },
    ],
    events: [stateEvent, endedEvent, errorEvent],
    parts: [...commonParts, { name: 'call-button', description: 'Starts the call.' }],
  },
  {
    tagName: 'incoming-call',
    className: 'IncomingCallElement',
    description: "Rings for the signed-in user's incoming calls; accept or decline, then runs the call. Empty while nothing rings.",
    members: [
      { name: 'names', type: 'Record<string, string>', description: 'Display names by uid (property only).' },
      { name: 'messages', type: 'Partial<FirecallMessages>', description: 'Per-element message overrides (property only).' },
      { name: 'snapshot', type: 'CallSnapshot | null', readonly: true, description: 'Read-only: the current call.' },
    ],
    methods: [
      { name: 'accept', description: 'Answers the ringing call.', returns: 'Promise<void>' },
      { name: 'decline', description: 'Refuses the ringing call.', returns: 'Promise<void>' },
      { name: 'hangUp', description: 'Ends the call.', returns: 'Promise<void>' },
    ],
    events: [
      {
        name: 'firecall-incoming',
        description: 'A call started ringing here.',
        detail: 'FirecallIncomingDetail { callId, from, kind, context? }',
      },
      stateEvent,
      endedEvent,
      errorEvent,
    ],
    parts: [
      ...commonParts,
      { name: 'accept-button', description: 'Accept.' },
      { name: 'decline-button', description: 'Decline.' },
      { name: 'dismiss-button', description: 'Clears a finished call.' },
      { name: 'unreachable', description: 'Says calls cannot reach the user right now (shown while nothing rings).' },
      ...videoParts,
    ],
  },
];

/** custom-elements.json (schema 1.0.0) for IDEs and docs tools. */
export function customElementsManifest() {
  return {
    schemaVersion: '1.0.0',
    readme: 'README.md',
    modules: [
      {
        kind: 'javascript-module',
        path: 'src/elements/index.ts',
        declarations: elements.map((el) => ({
          kind: 'class',
          customElement: true,
          name: el.className,
          tagName: el.tagName,
          description: el.description,
          attributes: el.members
            .filter((m) => m.attribute)
            .map((m) => ({ name: m.attribute, fieldName: m.name, type: { text: m.type }, description: m.description })),
          members: [
            ...el.members.map((m) => ({
              kind: 'field',
              name: m.name,
              type: { text: m.type },
              description: m.description,
              ...(m.attribute ? { attribute: m.attribute } : {}),
            })),
            ...el.methods.map((m) => ({ kind: 'method', name: m.name, description: m.description, return: { type: { text: m.returns } } })),
          ],
          events: el.events.map((e) => ({
            name: e.name,
            type: { text: `CustomEvent<${e.detail.split(' ')[0]}>` },
            description: `${e.description} Bubbles, composed. detail: ${e.detail}`,
          })),
          cssParts: el.parts.map((p) => ({ name: p.name, description: p.description })),
          cssProperties: cssProperties.map((p) => ({ name: p.name, description: p.description, default: p.default })),
        })),
        exports: [
          ...elements.map((el) => ({
            kind: 'custom-element-definition',
            name: el.tagName,
            declaration: { name: el.className, module: 'src/elements/index.ts' },
          })),
          { kind: 'js', name: 'defineFirecallElements', declaration: { name: 'defineFirecallElements', module: 'src/elements/index.ts' } },
        ],
      },
    ],
  };
}

/**
 * The TypeScript declarations of each element's properties and methods, written to
 * attributes.generated.ts so the public typings cannot drift from this contract.
 */
export function elementTypingsSource(): string {
  const doc = (text: string, indent = '  ') => `${indent}/** ${text.replace(/\*\//g, '*\\/')} */`;
  const block = (name: string, description: string, lines: string[]) => [
    `/** ${description} */`,
    `export interface ${name} {`,
    ...lines,
    '}',
    '',
  ];
  const groups = [
    { prefix: 'CallElement', element: elements.find((e) => e.tagName === 'video-call')!, what: '<video-call> and <voice-call>' },
    { prefix: 'IncomingCall', element: elements.find((e) => e.tagName === 'incoming-call')!, what: '<incoming-call>' },
  ];
  const out = [
    '// Generated from contract.ts by app/scripts/custom-elements.ts; edit the contract, not this file.',
    "import type { CallSnapshot } from '../call/types';",
    "import type { FirecallMessages } from './messages';",
    '',
  ];
  for (const { prefix, element, what } of groups) {
    const writable = element.members.filter((m) => !m.readonly);
    out.push(
      ...block(
        `${prefix}Attributes`,
        `Attributes (kebab-case) and properties (camelCase) a page sets on ${what}.`,
        writable.flatMap((m) => [doc(m.description), `  ${m.name}?: ${m.type};`]),
      ),
      ...block(`${prefix}Members`, `Methods and read-only properties of ${what}.`, [
        ...element.methods.flatMap((m) => [doc(m.description), `  ${m.name}(): ${m.returns};`]),
        ...element.members.filter((m) => m.readonly).flatMap((m) => [doc(m.description), `  readonly ${m.name}: ${m.type};`]),
      ]),
    );
  }
  return out.join('\n');
}
