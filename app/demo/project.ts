/**
 * The hosted demo on the project it is deployed to: the web config from Firebase Hosting, anonymous
 * sign-in (one uid per tab), Firestore signaling and TURN credentials from the deployed callable.
 * Anonymous uids are not known in advance, so the other demo user arrives by invite link (`?peer=uid`).
 */
import { callableIceServers, configure } from '../src/configure';
import { loadWebConfig } from './backend';
import { otherUser, people } from './people';
import type { DemoPage, Persona, SignIn } from './session';
import { iceServersOrDirect } from './session';

const PERSONA_KEY = 'firecall-demo-persona';

export async function startOnProject(page: DemoPage): Promise<SignIn> {
  const config = await loadWebConfig({ builtIn: import.meta.env.VITE_FIREBASE_CONFIG, fetch: (url) => fetch(url) });
  const [{ signInAnonymously, signOut, initializeAuth, browserSessionPersistence }, { getFunctions }, { initializeApp }] =
    await Promise.all([import('firebase/auth'), import('firebase/functions'), import('firebase/app')]);
  const app = initializeApp(config);
  // Per-tab sign-in, so two tabs of one browser can be the two demo users.
  initializeAuth(app, { persistence: browserSessionPersistence });
  const firecall = configure({ firebaseApp: app, iceServers: iceServersOrDirect(callableIceServers(getFunctions(app)), page) });
  page.notice(`Firebase project ${config.projectId}: anonymous sign-in, Firestore signaling, TURN from the iceServers function.`);
  let peerUid = page.params.get('peer');
  // A reloaded tab keeps its user: known before `?as=` signs in, so it is not replaced by a new one.
  await firecall.auth.authStateReady();

  const show = () => {
    const user = firecall.auth.currentUser;
    const persona = sessionStorage.getItem(PERSONA_KEY) as Persona | null;
    if (!user || !persona || !people[persona]) return page.show(null);
    const other = otherUser(persona);
    page.show({
      persona,
      me: { ...people[persona]!, uid: user.uid },
      other: peerUid && peerUid !== user.uid ? { ...other, uid: peerUid } : null,
      client: firecall.client,
      signaling: firecall.client ? firecall.signaling : null,
    });
  };
  firecall.onClientChange(show);
  // Whoever calls a page that has no contact yet is the other demo user: the call can then go both ways.
  document.addEventListener('firecall-incoming', (event) => {
    const from = (event as CustomEvent<{ from: string }>).detail.from;
    if (!peerUid && from) {
      peerUid = from;
      show();
    }
  });

  return (who) => {
    if (!who) {
      sessionStorage.removeItem(PERSONA_KEY);
      void signOut(firecall.auth);
      return;
    }
    sessionStorage.setItem(PERSONA_KEY, who);
    if (firecall.auth.currentUser) return show();
    void signInAnonymously(firecall.auth).catch((error: Error & { code?: string }) =>
      page.notice(
        error.code === 'auth/operation-not-allowed' || error.code === 'auth/admin-restricted-operation'
          ? `Sign-in failed: anonymous sign-in is off in project ${config.projectId}; turn it on under Authentication, Sign-in method.`
          : `Sign-in failed: ${error.message}`,
      ),
    );
  };
}
