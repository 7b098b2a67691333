/**
 * Every sentence the elements show, in English and German. Hosts override any
 * message globally (`setFirecallMessages`) or per element (the `messages` property).
 * Placeholders: {name} the other person, {time} the call timer, {reason} a reason sentence,
 * {level} a quality level.
 */
import type { CallReason, Direction, QualityLevel } from '../call/types';

const english = {
  signedOut: 'Sign in to make calls',
  ready: 'Ready to call {name}',
  callVideo: 'Video call {name}',
  callVoice: 'Call {name}',
  callAgain: 'Call again',
  gettingCamera: 'Getting your camera',
  gettingMicrophone: 'Getting your microphone',
  calling: 'Calling {name}',
  ringing: 'Ringing',
  incoming: '{name} is calling',
  incomingVideo: 'Video call from {name}',
  incomingVoice: 'Voice call from {name}',
  incomingUnreachable: 'Calls cannot reach you right now: the call service is unreachable. Trying again…',
  connecting: 'Connecting',
  connectingRelay: 'Connecting through relay',
  connected: 'Connected {time}',
  connectedAnnouncement: 'Connected to {name}',
  reconnecting: 'Reconnecting',
  reconnectingOwn: 'Your connection dropped',
  reconnectingPeer: "{name}'s connection dropped",
  failed: 'Call failed: {reason}',
  ended: 'Call ended',
  endedBecause: 'Call ended: {reason}',
  // How a call that never connected ended, each from the reader's side of it.
  'ended.outgoing.declined': '{name} declined the call',
  'ended.outgoing.busy': '{name} is on another call',
  'ended.outgoing.unavailable': "{name} isn't online right now",
  'ended.outgoing.no-answer': '{name} did not answer',
  'ended.outgoing.cancelled': 'You cancelled the call',
  'ended.incoming.declined': "You declined {name}'s call",
  'ended.incoming.missed': 'Missed call from {name}',
  'ended.incoming.busy': 'Missed call from {name}: you were on another call',
  'ended.incoming.answered-elsewhere': 'You answered this call in another tab',
  videoPaused: 'Your video is paused: the network is too slow',
  peerVideoPaused: "{name}'s video is paused: the network is too slow",
  videoPausedBoth: 'Video is paused both ways: the network is too slow',
  videoResumed: 'Video is back',
  stepSignaling: 'Reaching {name}',
  stepChecking: 'Finding a network path',
  stepRelaying: 'Using the relay server',
  iceProgress: 'Connection progress',
  quality: 'Connection quality: {level}',
  qualityGood: 'good',
  qualityFair: 'fair',
  qualityPoor: 'poor',
  qualityLost: 'lost',
  mute: 'Mute',
  unmute: 'Unmute',
  cameraOff: 'Turn camera off',
  cameraOn: 'Turn camera on',
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  hangUp: 'Hang up',
  accept: 'Accept',
  dismiss: 'Close',
  decline: 'Decline',
  microphone: 'Microphone',
  camera: 'Camera',
  defaultDevice: 'Default',
  showStats: 'Show call details',
  hideStats: 'Hide call details',
  statsTitle: 'Call details',
  statsPath: 'Network path',
  statsDirect: 'direct ({protocol})',
  statsRelayed: 'through relay ({protocol})',
  statsQuality: 'Quality',
  statsTimings: 'Setup times',
  statsCallId: 'Call id',
  statsNone: 'not yet known',
  statsDetail: 'For support',
  remoteVideo: 'Video of {name}',
  localVideo: 'Your video',
  someone: 'the other person',
  'reason.media-denied': 'you blocked the camera or microphone. Allow access in the address bar, then call again.',
  'reason.media-unavailable': 'no camera or microphone was found. Plug one in or close apps that use it, then call again.',
  'reason.unauthenticated': 'you are signed out. Sign in again, then call again.',
  'reason.signaling-unavailable': 'the call service cannot be reached. Check your internet connection, then try again.',
  'reason.no-route': 'no network path to {name}, not even through the relay. Try another network, or ask IT to allow TURN on port 443.',
  'reason.connection-lost': 'the connection to {name} was lost and could not be restored. Check your connection, then call again.',
  'reason.turn-unreachable': 'the relay server cannot be reached. A firewall may block it; try another network or ask IT.',
  'reason.declined': '{name} declined the call. Try again later.',
  'reason.busy': '{name} is on another call. Try again later.',
  'reason.unavailable': "{name} isn't online right now. Try again later.",
  'reason.no-answer': '{name} did not answer. Try again later.',
  'reason.answered-elsewhere': 'you answered the call in another tab.',
  'reason.peer-left': '{name} left the call.',
  'reason.timeout': 'the call took too long to connect. Check your connection and try again.',
  'reason.bad-signal': 'the call setup was garbled. Call again.',
  'reason.cancelled': 'the call was cancelled.',
  'reason.hung-up': 'the call was hung up.',
  'error.invalid-callee': 'There is nobody to call: the callee attribute is empty.',
  'error.no-call': 'There is no ringing call to answer.',
  'error.unexpected': 'That did not work. Try again.',
};

export type MessageKey = keyof typeof english;
export type FirecallMessages = Record<MessageKey, string>;

const german: FirecallMessages = {
  signedOut: 'Melden Sie sich an, um anzurufen',
  ready: 'Bereit, {name} anzurufen',
  callVideo: 'Videoanruf an {name}',
  callVoice: '{name} anrufen',
  callAgain: 'Erneut anrufen',
  gettingCamera: 'Kamera wird eingeschaltet',
  gettingMicrophone: 'Mikrofon wird eingeschaltet',
  calling: '{name} wird angerufen',
  ringing: 'Es klingelt',
  incoming: '{name} ruft an',
  incomingVideo: 'Videoanruf von {name}',
  incomingVoice: 'Anruf von {name}',
  incomingUnreachable: 'Anrufe erreichen Sie gerade nicht: Der Anrufdienst ist nicht erreichbar. Neuer Versuch läuft…',
  connecting: 'Verbindung wird aufgebaut',
  connectingRelay: 'Verbindung über Relay-Server',
  connected: 'Verbunden {time}',
  connectedAnnouncement: 'Verbunden mit {name}',
  reconnecting: 'Verbindung wird wiederhergestellt',
  reconnectingOwn: 'Ihre Verbindung ist unterbrochen',
  reconnectingPeer: 'Die Verbindung von {name} ist unterbrochen',
  failed: 'Anruf fehlgeschlagen: {reason}',
  ended: 'Anruf beendet',
  endedBecause: 'Anruf beendet: {reason}',
  'ended.outgoing.declined': '{name} hat den Anruf abgelehnt',
  'ended.outgoing.busy': '{name} ist in einem anderen Gespräch',
  'ended.outgoing.unavailable': '{name} ist gerade nicht online',
  'ended.outgoing.no-answer': '{name} hat nicht angenommen',
  'ended.outgoing.cancelled': 'Sie haben den Anruf abgebrochen',
  'ended.incoming.declined': 'Sie haben den Anruf von {name} abgelehnt',
  'ended.incoming.missed': 'Verpasster Anruf von {name}',
  'ended.incoming.busy': 'Verpasster Anruf von {name}: Sie waren in einem anderen Gespräch',
  'ended.incoming.answered-elsewhere': 'Sie haben diesen Anruf in einem anderen Tab angenommen',
  videoPaused: 'Ihr Video ist angehalten: das Netz ist zu langsam',
  peerVideoPaused: 'Das Video von {name} ist angehalten: das Netz ist zu langsam',
  videoPausedBoth: 'Video ist in beide Richtungen angehalten: das Netz ist zu langsam',
  videoResumed: 'Das Video läuft wieder',
  stepSignaling: '{name} wird erreicht',
  stepChecking: 'Netzwerkweg wird gesucht',
  stepRelaying: 'Relay-Server wird genutzt',
  iceProgress: 'Verbindungsfortschritt',
  quality: 'Verbindungsqualität: {level}',
  qualityGood: 'gut',
  qualityFair: 'mittel',
  qualityPoor: 'schlecht',
  qualityLost: 'unterbrochen',
  mute: 'Stummschalten',
  unmute: 'Stummschaltung aufheben',
  cameraOff: 'Kamera ausschalten',
  cameraOn: 'Kamera einschalten',
  shareScreen: 'Bildschirm teilen',
  stopSharing: 'Teilen beenden',
  hangUp: 'Auflegen',
  accept: 'Annehmen',
  dismiss: 'Schließen',
  decline: 'Ablehnen',
  microphone: 'Mikrofon',
  camera: 'Kamera',
  defaultDevice: 'Standard',
  showStats: 'Anrufdetails zeigen',
  hideStats: 'Anrufdetails ausblenden',
  statsTitle: 'Anrufdetails',
  statsPath: 'Netzwerkweg',
  statsDirect: 'direkt ({protocol})',
  statsRelayed: 'über Relay-Server ({protocol})',
  statsQuality: 'Qualität',
  statsTimings: 'Aufbauzeiten',
  statsCallId: 'Anruf-ID',
  statsNone: 'noch unbekannt',
  statsDetail: 'Für den Support',
  remoteVideo: 'Video von {name}',
  localVideo: 'Ihr Video',
  someone: 'die andere Person',
  'reason.media-denied': 'Sie haben Kamera oder Mikrofon blockiert. Erlauben Sie den Zugriff in der Adressleiste und rufen Sie erneut an.',
  'reason.media-unavailable': 'keine Kamera und kein Mikrofon gefunden. Schließen Sie eines an oder beenden Sie Apps, die es nutzen.',
  'reason.unauthenticated': 'Sie sind abgemeldet. Melden Sie sich an und rufen Sie erneut an.',
  'reason.signaling-unavailable': 'der Anrufdienst ist nicht erreichbar. Prüfen Sie Ihre Internetverbindung und versuchen Sie es erneut.',
  'reason.no-route':
    'kein Netzwerkweg zu {name}, auch nicht über den Relay-Server. Versuchen Sie ein anderes Netz oder bitten Sie die IT, TURN auf Port 443 zu erlauben.',
  'reason.connection-lost':
    'die Verbindung zu {name} brach ab und konnte nicht wiederhergestellt werden. Prüfen Sie Ihre Verbindung und rufen Sie erneut an.',
  'reason.turn-unreachable':
    'der Relay-Server ist nicht erreichbar. Eine Firewall blockiert ihn vielleicht; versuchen Sie ein anderes Netz oder fragen Sie die IT.',
  'reason.declined': '{name} hat den Anruf abgelehnt. Versuchen Sie es später erneut.',
  'reason.busy': '{name} ist in einem anderen Gespräch. Versuchen Sie es später erneut.',
  'reason.unavailable': '{name} ist gerade nicht online. Versuchen Sie es später erneut.',
  'reason.no-answer': '{name} hat nicht angenommen. Versuchen Sie es später erneut.',
  'reason.answered-elsewhere': 'Sie haben den Anruf in einem anderen Tab angenommen.',
  'reason.peer-left': '{name} hat den Anruf verlassen.',
  'reason.timeout': 'der Verbindungsaufbau hat zu lange gedauert. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
  'reason.bad-signal': 'der Verbindungsaufbau war fehlerhaft. Rufen Sie erneut an.',
  'reason.cancelled': 'der Anruf wurde abgebrochen.',
  'reason.hung-up': 'es wurde aufgelegt.',
  'error.invalid-callee': 'Niemand zum Anrufen: Das Attribut callee ist leer.',
  'error.no-call': 'Es klingelt gerade kein Anruf, den Sie annehmen könnten.',
  'error.unexpected': 'Das hat nicht geklappt. Versuchen Sie es erneut.',
};

const bundles = new Map<string, Partial<FirecallMessages>>([
  ['en', english],
  ['de', german],
]);

/** Adds or overrides messages for a language (primary subtag, e.g. 'de'), for every element. */
export function setFirecallMessages(lang: string, messages: Partial<FirecallMessages>): void {
  const key = primary(lang);
  bundles.set(key, { ...bundles.get(key), ...messages });
}

/** The language a host page asks for, reduced to a bundled one (English when unknown). */
export function resolveLanguage(lang: string | null | undefined): string {
  const key = primary(lang ?? '');
  return bundles.has(key) ? key : 'en';
}

export type Translate = (key: MessageKey, params?: Record<string, string>) => string;

/** A translator for one language, with per-element overrides taking precedence. */
export function translator(lang: string, overrides: Partial<FirecallMessages> = {}): Translate {
  const bundle = bundles.get(resolveLanguage(lang)) ?? english;
  return (key, params = {}) => {
    const template = overrides[key] ?? bundle[key] ?? english[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
  };
}

export function reasonKey(reason: CallReason): MessageKey {
  return `reason.${reason}` as MessageKey;
}

/** Incoming calls that ended unanswered without the user's doing: a missed call, whoever gave up. */
const MISSED_BY_CALLEE: ReadonlySet<CallReason> = new Set(['cancelled', 'unavailable', 'no-answer']);

/** The sentence for a call that ended this way on this side, if it has its own (else "Call ended: <reason>"). */
export function outcomeKey(reason: CallReason, direction: Direction | null): MessageKey | null {
  const side = direction === 'incoming' ? 'incoming' : 'outgoing';
  const key = `ended.${side}.${side === 'incoming' && MISSED_BY_CALLEE.has(reason) ? 'missed' : reason}`;
  return Object.prototype.hasOwnProperty.call(english, key) ? (key as MessageKey) : null;
}

export function qualityKey(level: QualityLevel): MessageKey {
  return `quality${level[0]!.toUpperCase()}${level.slice(1)}` as MessageKey;
}

function primary(lang: string): string {
  return lang.trim().toLowerCase().split(/[-_]/)[0] ?? '';
}
