/**
 * The demo on the local emulators (what `npm start` and the tests serve): Auth + Functions emulators,
 * fixed demo uids, and signaling on the Firestore emulator when one answers, else between tabs.
 * Only the dev server loads this module, so a hosting build carries no emulator address.
 */
import { callableIceServers, configure } from '../src/configure';
import { emulatorToken } from './emulator-token';
import { people, otherUser } from './people';
import { relayedSignaling, type RelayKind } from './relay';
import type { DemoPage, Persona, SignIn } from './session';
import { iceServersOrDirect } from './session';

export async function startOnEmulators(page: DemoPage): Promise<SignIn> {
  const { params } = page;
  const forcedSignaling = params.get('signaling');
  const emulatorAt = (name: string, port: number) => params.get(`${name}Emulator`) ?? `${location.hostname}:${port}`;
  const useFirestore = forcedSignaling === 'firestore' || (!forcedSignaling && (await answers(emulatorAt('firestore', 8080))));
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
  const firecall = configure({
    firebaseApp: app,
    emulators: { auth: `http://${emulatorAt('auth', 9099)}`, ...(useFirestore ? { firestore: emulatorAt('firestore', 8080) } : {}) },
    signaling: useFirestore ? 'firestore' : (who) => relayedSignaling(who, relay),
    // The demo keeps calling on one machine when the Functions emulator is down, and says so.
    iceServers: iceServersOrDirect(callableIceServers(functions), page),
  });
  page.notice(
    `Auth + Functions emulators; signaling over ${useFirestore ? 'the Firestore emulator' : `BroadcastChannel (no Firestore emulator at ${emulatorAt('firestore', 8080)})`}.`,
  );
  firecall.onClientChange((client) => {
    const uid = firecall.auth.currentUser?.uid;
    const me = uid ? people[uid] : undefined;
    page.show(
      me ? { persona: me.uid as Persona, me, other: otherUser(me.uid), client, signaling: client ? firecall.signaling : null } : null,
    );
  });
  return (who) => {
    if (!who) void signOut(firecall.auth);
    else
      void signInWithCustomToken(firecall.auth, emulatorToken(who)).catch((error: Error) =>
        page.notice(`Sign-in failed: ${error.message}. Is the Auth emulator running on ${emulatorAt('auth', 9099)}?`),
      );
  };
}

async function answers(hostPort: string): Promise<boolean> {
  try {
    await fetch(`http://${hostPort}/`, { mode: 'no-cors', signal: AbortSignal.timeout(800) });
    return true;
  } catch {
    return false;
  }
}
