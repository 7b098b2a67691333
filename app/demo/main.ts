/**
 * The demo CRM page: a plain HTML host embedding the firecall elements.
 *
 * Where it signs in (./backend):
 *   dev server (npm start, tests)  Firebase Auth + Functions emulators (127.0.0.1:9099 / :5001); signaling on the
 *                                  Firestore emulator when one answers on :8080, else BroadcastChannel between tabs
 *   hosting build                  the project it is deployed to: config from /__/firebase/init.json, anonymous sign-in
 *   auth=local                     no Firebase at all: sign in locally, no TURN (same-machine calls only)
 *
 * URL parameters:
 *   signaling=broadcast|harness|firestore   force a transport (harness: a test bridges two browser contexts)
 *   as=ana|ben               sign in at once;  lang=de  German
 *   peer=uid                 hosted: the other demo user's uid (the invite link carries it)
 *   authEmulator=host:port, functionsEmulator=host:port, firestoreEmulator=host:port   other emulator ports
 */
import { createCallClient, type CallClient } from '../src/call/index';
import { defineFirecallElements, setCallClient } from '../src/elements/index';
import type { CallRecord } from '../src/signaling/channel';
import { chooseBackend } from './backend';
import { deal, otherContacts, otherUser, people, ticket, type Person } from './people';
import { startOnProject } from './project';
import { relayedSignaling, type RelayKind } from './relay';
import { noTurn, type DemoPage, type DemoSession, type Persona, type SignIn } from './session';

const params = new URLSearchParams(location.search);
const forcedSignaling = params.get('signaling');

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
const incoming = $<HTMLElementTagNameMap['incoming-call']>('incoming');
const knownNames = Object.fromEntries([...Object.values(people), ...otherContacts].map((p) => [p.uid, p.name]));
let names: Record<string, string> = knownNames;
incoming.names = names;

// ---- rendering per signed-in user ---------------------------------------------------------
let session: DemoSession | null = null;

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

/** A hosted page knows the other user only by an invite link: this one signs its opener in as that user. */
function inviteItem(me: Person, persona: Persona): HTMLLIElement {
  const other = otherUser(persona);
  const link = new URL(location.pathname, location.origin);
  link.search = new URLSearchParams({ peer: me.uid, as: other.uid }).toString();
  const li = document.createElement('li');
  li.className = 'invite';
  li.innerHTML = '<p class="who"></p><a id="invite-link"></a>';
  li.querySelector('p')!.textContent = `To call ${other.name}, open this link in another browser or tab; it signs in as ${other.name}:`;
  const anchor = li.querySelector('a')!;
  anchor.href = anchor.textContent = link.href;
  return li;
}

function show(next: DemoSession | null): void {
  session = next;
  names = { ...knownNames };
  for (const person of [next?.me, next?.other]) if (person) names[person.uid] = person.name;
  incoming.names = names;
  (window as unknown as { firecallDemo: unknown }).firecallDemo = { uid: next?.me.uid ?? null, client: next?.client ?? null };
  render();
}

function render(): void {
  const list = $('contact-list');
  const dealCall = $('deal-call');
  const ticketCall = $('ticket-call');
  list.replaceChildren();
  dealCall.replaceChildren();
  ticketCall.replaceChildren();
  $('who').textContent = session ? `Signed in as ${session.me.name}` : 'Not signed in';
  $('sign-out').hidden = !session;
  $('sign-in-ana').hidden = !!session;
  $('sign-in-ben').hidden = !!session;
  document.documentElement.dataset.signedIn = session?.persona ?? '';
  if (!session) {
    const li = document.createElement('li');
    li.textContent = 'Sign in to see your contacts.';
    list.append(li);
    void refreshCallLog();
    return;
  }
  const { other } = session;
  if (!other) list.append(inviteItem(session.me, session.persona));
  for (const person of [...(other ? [other] : []), ...otherContacts]) {
    const li = document.createElement('li');
    const who = document.createElement('p');
    who.className = 'who';
    who.innerHTML = '<strong></strong><small></small>';
    who.querySelector('strong')!.textContent = person.name;
    who.querySelector('small')!.textContent = `${person.role}, ${person.company}`;
    li.append(who, callElement('voice-call', person));
    list.append(li);
  }
  if (other) {
    dealCall.append(callElement('video-call', other, deal));
    ticketCall.append(callElement('video-call', other, ticket));
  }
  void refreshCallLog();
}

// ---- call log of the ticket ---------------------------------------------------------------
async function refreshCallLog(): Promise<void> {
  const log = $('call-log');
  const signaling = session?.signaling;
  if (!signaling?.callsForRecord) {
    log.innerHTML = `<li>${session ? 'This transport keeps no call log.' : 'Sign in to see the call log.'}</li>`;
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
async function startLocal(): Promise<SignIn> {
  const relay: RelayKind = forcedSignaling === 'harness' ? 'harness' : 'broadcast';
  notice(
    `Local sign-in, ${relay === 'harness' ? 'test-harness relay' : 'BroadcastChannel'} signaling, no TURN: calls work between tabs of this browser.`,
  );
  let client: CallClient | null = null;
  return (who) => {
    client?.dispose();
    client = null;
    const signaling = who ? relayedSignaling(who, relay) : null;
    if (signaling) client = createCallClient({ signaling, iceServers: noTurn, quality: true });
    setCallClient(client);
    show(who ? { persona: who, me: people[who]!, other: otherUser(who), client, signaling } : null);
  };
}

const page: DemoPage = { params, notice, show };
const backend = chooseBackend({ authParam: params.get('auth'), devServer: import.meta.env.DEV });
async function start(): Promise<SignIn> {
  // A constant condition in a build: the emulator module and its addresses are left out of the hosting bundle.
  if (import.meta.env.DEV && backend === 'emulators') return (await import('./emulators')).startOnEmulators(page);
  if (backend === 'project') {
    try {
      return await startOnProject(page);
    } catch (error) {
      notice(`No Firebase project: ${(error as Error).message} Falling back to local sign-in.`);
    }
  }
  return startLocal();
}

const signIn = await start();
$('sign-in-ana').addEventListener('click', () => signIn('ana'));
$('sign-in-ben').addEventListener('click', () => signIn('ben'));
$('sign-out').addEventListener('click', () => signIn(null));
render();
const as = params.get('as');
if (as === 'ana' || as === 'ben') signIn(as);
document.documentElement.dataset.ready = 'true';
