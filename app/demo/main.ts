/**
 * The demo CRM page: a plain HTML host embedding the firecall elements.
 *
 * URL parameters:
 *   auth=emulator (default)  Firebase Auth + Functions emulators (127.0.0.1:9099 / :5001); signaling on the
 *                            Firestore emulator when one answers on :8080, else BroadcastChannel between tabs
 *   auth=local               no Firebase at all: sign in locally, no TURN (same-machine calls only)
 *   signaling=broadcast|harness|firestore   force a transport (harness: a test bridges two browser contexts)
 *   as=ana|ben               sign in at once;  lang=de  German
 *   authEmulator=host:port, functionsEmulator=host:port, firestoreEmulator=host:port   other emulator ports
 */
import { createCallClient, type CallClient } from '../src/call/index';
import type { IceServerProvider } from '../src/call/types';
import { callableIceServers, configure } from '../src/configure';
import { emulatorToken } from './emulator-token';
import { defineFirecallElements, setCallClient } from '../src/elements/index';
import type { CallRecord, SignalingChannel } from '../src/signaling/channel';
import { deal, otherContacts, otherUser, people, ticket, type Person } from './people';
import { relayedSignaling, type RelayKind } from './relay';

const params = new URLSearchParams(location.search);
const authMode = params.get('auth') === 'local' ? 'local' : 'emulator';
const forcedSignaling = params.get('signaling');
const host = location.hostname;
const emulatorAt = (name: string, port: number) => params.get(`${name}Emulator`) ?? `${host}:${port}`;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const modeLine = $('mode');
const notices: string[] = [];
function notice(text: string): void {
  notices.push(text);
  modeLine.textContent = notices.join(' ');
}

// ---- language -----------------------------------------------------------------------------
const langSelect = $<HTMLSelectElement>('lang');
const initialLang = params.get('lang') ?? document.documentElement.lang;
document.documentElement.lang = initialLang === 'de' ? 'de' : 'en';
langSelect.value = document.documentElement.lang;
langSelect.addEventListener('change', () => {
  document.documentElement.lang = langSelect.value; // the elements follow on their own
});

// ---- elements ------------------------------------------------------------------------------
defineFirecallElements();
const names = Object.fromEntries([...Object.values(people), ...otherContacts].map((p) => [p.uid, p.name]));
$<HTMLElementTagNameMap['incoming-call']>('incoming').names = names;

// ---- rendering per signed-in user ---------------------------------------------------------
let signaling: SignalingChannel | null = null;
let uid: string | null = null;

function callElement(
  tag: 'video-call' | 'voice-call',
  person: Person,
  record?: { recordType: string; recordId: string; label: string },
): HTMLElement {
  const el = document.createElement(tag);
  el.setAttribute('callee', person.uid);
  el.setAttribute('callee-name', person.name);
  if (record) {
    el.setAttribute('record-type', record.recordType);
    el.setAttribute('record-id', record.recordId);
    el.setAttribute('record-label', record.label);
  }
  return el;
}

function render(): void {
  const list = $('contact-list');
  const dealCall = $('deal-call');
  const ticketCall = $('ticket-call');
  list.replaceChildren();
  dealCall.replaceChildren();
  ticketCall.replaceChildren();
  $('who').textContent = uid ? `Signed in as ${people[uid]?.name ?? uid}` : 'Not signed in';
  $('sign-out').hidden = !uid;
  $('sign-in-ana').hidden = !!uid;
  $('sign-in-ben').hidden = !!uid;
  document.documentElement.dataset.signedIn = uid ?? '';
  if (!uid) {
    const li = document.createElement('li');
    li.textContent = 'Sign in to see your contacts.';
    list.append(li);
    void refreshCallLog();
    return;
  }
  const other = otherUser(uid);
  for (const person of [other, ...otherContacts]) {
    const li = document.createElement('li');
    const who = document.createElement('p');
    who.className = 'who';
    who.innerHTML = '<strong></strong><small></small>';
    who.querySelector('strong')!.textContent = person.name;
    who.querySelector('small')!.textContent = `${person.role}, ${person.company}`;
    li.append(who, callElement('voice-call', person));
    list.append(li);
  }
  dealCall.append(callElement('video-call', other, deal));
  ticketCall.append(callElement('video-call', other, ticket));
  void refreshCallLog();
}

// ---- call log of the ticket ---------------------------------------------------------------
async function refreshCallLog(): Promise<void> {
  const log = $('call-log');
  if (!signaling?.callsForRecord) {
    log.innerHTML = `<li>${uid ? 'This transport keeps no call log.' : 'Sign in to see the call log.'}</li>`;
    return;
  }
  let calls: CallRecord[];
  try {
    calls = await signaling.callsForRecord({ recordType: ticket.recordType, recordId: ticket.recordId });
  } catch (error) {
    log.innerHTML = '<li></li>';
    log.firstElementChild!.textContent = `Call log unavailable: ${(error as Error).message}`;
    return;
  }
  log.replaceChildren(
    ...(calls.length
      ? calls.map((call) => {
          const li = document.createElement('li');
          const when = new Date(call.createdAt).toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' });
          const length = call.acceptedAt && call.endedAt ? `, ${Math.round((call.endedAt - call.acceptedAt) / 1000)} s` : '';
          li.textContent = `${when} · ${names[call.caller] ?? call.caller} → ${names[call.callee] ?? call.callee} · ${call.kind} · ${call.state}${call.endReason ? ` (${call.endReason})` : ''}${length}`;
          return li;
        })
      : [Object.assign(document.createElement('li'), { textContent: 'No calls yet.' })]),
  );
}
// Any call ending anywhere on the page (events are composed and bubble) refreshes the log.
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
for (const type of ['firecall-ended', 'firecall-state', 'firecall-incoming'] as const) {
  document.addEventListener(type, () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void refreshCallLog(), 300);
  });
}

// ---- sign-in modes --------------------------------------------------------------------------
const noTurn: IceServerProvider = async () => ({ iceServers: [], expiresAt: Date.now() + 3600_000 });

async function firestoreEmulatorAnswers(): Promise<boolean> {
  try {
    await fetch(`http://${emulatorAt('firestore', 8080)}/`, { mode: 'no-cors', signal: AbortSignal.timeout(800) });
    return true;
  } catch {
    return false;
  }
}

async function startLocal(): Promise<(who: string | null) => void> {
  const relay: RelayKind = forcedSignaling === 'harness' ? 'harness' : 'broadcast';
  notice(
    `Local sign-in, ${relay === 'harness' ? 'test-harness relay' : 'BroadcastChannel'} signaling, no TURN: calls work between tabs of this browser.`,
  );
  let client: CallClient | null = null;
  return (who) => {
    client?.dispose();
    client = null;
    signaling = null;
    uid = who;
    if (who) {
      signaling = relayedSignaling(who, relay);
      client = createCallClient({ signaling, iceServers: noTurn, quality: true });
    }
    setCallClient(client);
    (window as unknown as { firecallDemo: unknown }).firecallDemo = { uid, client };
    render();
  };
}

async function startEmulator(): Promise<(who: string | null) => void> {
  const useFirestore = forcedSignaling === 'firestore' || (!forcedSignaling && (await firestoreEmulatorAnswers()));
  const relay: RelayKind = forcedSignaling === 'harness' ? 'harness' : 'broadcast';
  const [
    { signInWithCustomToken, signOut, initializeAuth, browserSessionPersistence },
    { getFunctions, connectFunctionsEmulator },
    { initializeApp },
  ] = await Promise.all([import('firebase/auth'), import('firebase/functions'), import('firebase/app')]);
  const app = initializeApp({
    apiKey: 'demo-api-key',
    projectId: 'demo-firecall',
    appId: 'demo-firecall-web',
    authDomain: 'demo-firecall.firebaseapp.com',
  });
  // Per-tab sign-in, so two tabs of one browser can be two different demo users.
  initializeAuth(app, { persistence: browserSessionPersistence });
  const functions = getFunctions(app);
  const [functionsHost, functionsPort] = emulatorAt('functions', 5001).split(':');
  connectFunctionsEmulator(functions, functionsHost!, Number(functionsPort));
  const callable = callableIceServers(functions);
  // The demo keeps calling on one machine when the Functions emulator is down, and says so.
  const iceServers: IceServerProvider = async () => {
    try {
      return await callable();
    } catch (error) {
      notice(`TURN credentials unavailable (${(error as Error).message}); calling with direct connections only.`);
      return noTurn();
    }
  };
  const firecall = configure({
    firebaseApp: app,
    emulators: { auth: `http://${emulatorAt('auth', 9099)}`, ...(useFirestore ? { firestore: emulatorAt('firestore', 8080) } : {}) },
    signaling: useFirestore ? 'firestore' : (who) => relayedSignaling(who, relay),
    iceServers,
  });
  notice(
    `Auth + Functions emulators; signaling over ${useFirestore ? 'the Firestore emulator' : `BroadcastChannel (no Firestore emulator at ${emulatorAt('firestore', 8080)})`}.`,
  );
  firecall.onClientChange((client) => {
    uid = firecall.auth.currentUser?.uid ?? null;
    signaling = client ? firecall.signaling : null;
    (window as unknown as { firecallDemo: unknown }).firecallDemo = { uid, client };
    render();
  });
  return (who) => {
    if (!who) void signOut(firecall.auth);
    else
      void signInWithCustomToken(firecall.auth, emulatorToken(who)).catch((error: Error) =>
        notice(`Sign-in failed: ${error.message}. Is the Auth emulator running on ${emulatorAt('auth', 9099)}?`),
      );
  };
}

const signIn = await (authMode === 'local' ? startLocal() : startEmulator());
$('sign-in-ana').addEventListener('click', () => signIn('ana'));
$('sign-in-ben').addEventListener('click', () => signIn('ben'));
$('sign-out').addEventListener('click', () => signIn(null));
render();
const as = params.get('as');
if (as && people[as]) signIn(as);
document.documentElement.dataset.ready = 'true';
