/**
 * Firebase wiring for the elements: signs nobody in itself, but follows the host's
 * Firebase Auth user and gives the elements a call client for whoever is signed in.
 *
 *   initializeApp(firebaseConfig);          // the host's own Firebase, as usual
 *   const firecall = configure();           // follows getAuth() of that default app
 *   defineFirecallElements();
 *
 * Signaling defaults to Firestore; pass `signaling: (uid) => channel` for another transport
 * (the demo's BroadcastChannel adapter). TURN credentials come from the `iceServers` callable.
 */
import { getApps, initializeApp, type FirebaseApp, type FirebaseOptions } from 'firebase/app';
import { connectAuthEmulator, getAuth, onAuthStateChanged, type Auth } from 'firebase/auth';
import { connectFunctionsEmulator, getFunctions, httpsCallable, type Functions } from 'firebase/functions';
import type { Firestore } from 'firebase/firestore';
import type { CallClient, CallClientOptions } from './engine';
import type { IceServerGrant, IceServerProvider } from './call/types';
import { signedInClient, unreachableSignaling } from './configure-client';
import { setCallClient } from './elements/client';
import type { SignalingChannel } from './signaling/channel';

export interface ConfigureOptions {
  /** The host's Firebase app; defaults to its default app (the one `initializeApp(config)` made). */
  firebaseApp?: FirebaseApp;
  /** For pages without Firebase code of their own: initializes the default app when there is none. */
  firebaseConfig?: FirebaseOptions;
  /**
   * Local emulators, all three so development never reaches production:
   * auth as a URL ('http://127.0.0.1:9099'), functions and firestore as 'host:port'.
   */
  emulators?: { auth?: string; functions?: string; firestore?: string };
  /** Region of the `iceServers` callable. */
  functionsRegion?: string;
  /** How signals travel: Firestore (default) or a channel factory for the signed-in uid. */
  signaling?: 'firestore' | ((uid: string) => SignalingChannel | Promise<SignalingChannel>);
  /** TURN credentials source; defaults to the `iceServers` callable. */
  iceServers?: IceServerProvider;
  /**
   * How long placing or answering a call waits for Firestore (the call document, the answer) while
   * it answers nothing, before the element says the call service cannot be reached. Default 4000 ms.
   */
  callServiceTimeoutMs?: number;
  /** Engine options (timeouts, ICE policy, logging...). Adaptive bitrate is on unless `quality: false`. */
  engine?: Omit<CallClientOptions, 'signaling' | 'iceServers'>;
  /** Whether elements use this client (default true). */
  useForElements?: boolean;
}

export interface Firecall {
  readonly app: FirebaseApp;
  readonly auth: Auth;
  /** The signed-in user's call client; null while signed out. */
  readonly client: CallClient | null;
  /** The signed-in user's signaling channel (e.g. for a record's call log). */
  readonly signaling: SignalingChannel | null;
  /** Called whenever the client changes (sign-in, sign-out). */
  onClientChange(listener: (client: CallClient | null) => void): () => void;
  dispose(): void;
}

/** The `iceServers` callable as the engine's provider; its data is checked before use. */
export function callableIceServers(functions: Functions, name = 'iceServers'): IceServerProvider {
  const callable = httpsCallable<{ region?: string }, unknown>(functions, name);
  // The time zone tells the function which TURN region is nearest, without asking for location.
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return async (): Promise<IceServerGrant> => {
    const { data } = await callable(typeof timeZone === 'string' && timeZone ? { region: timeZone } : {});
    const grant = data as Partial<IceServerGrant> | null;
    if (!grant || !Array.isArray(grant.iceServers) || typeof grant.expiresAt !== 'number') {
      throw new Error(`The ${name} function returned no ICE servers; check its deployment and TURN_* parameters.`);
    }
    return { iceServers: grant.iceServers, expiresAt: grant.expiresAt };
  };
}

/**
 * Follows `getAuth(app)` of the host's app: whoever the host signs in gets a call client.
 * It never creates a second Firebase app or Auth.
 */
export function configure(options: ConfigureOptions = {}): Firecall {
  const app = hostApp(options);
  const auth = getAuth(app);
  const functions = getFunctions(app, options.functionsRegion);
  const emulators = options.emulators ?? {};
  if (emulators.auth && !auth.emulatorConfig) {
    try {
      connectAuthEmulator(auth, emulators.auth, { disableWarnings: true });
    } catch (error) {
      throw new Error(
        `emulators.auth: the host's Auth is already in use; call configure() before signing in (${(error as Error).message}).`,
      );
    }
  }
  if (emulators.functions) {
    const [host, port] = splitHostPort(emulators.functions, 'functions');
    connectFunctionsEmulator(functions, host, port);
  }
  const firestoreAddress = emulators.firestore ? splitHostPort(emulators.firestore, 'firestore') : null;
  const iceServers = options.iceServers ?? callableIceServers(functions);
  const listeners = new Set<(client: CallClient | null) => void>();
  let client: CallClient | null = null;
  let signaling: SignalingChannel | null = null;
  let generation = 0;

  let firestore: Promise<Firestore> | null = null;
  /** Firestore is loaded on first sign-in; the emulator is connected once, before any read or write. */
  function signalingDb(): Promise<Firestore> {
    firestore ??= import('firebase/firestore').then(({ getFirestore, connectFirestoreEmulator }) => {
      const db = getFirestore(app);
      if (firestoreAddress) connectFirestoreEmulator(db, ...firestoreAddress);
      return db;
    });
    return firestore;
  }

  async function channelFor(uid: string): Promise<UserSignaling> {
    if (typeof options.signaling === 'function') return { channel: await options.signaling(uid) };
    const [db, { createFirestoreSignaling }, { doc, getDocFromServer }] = await Promise.all([
      signalingDb(),
      import('./signaling/firestore'),
      import('firebase/firestore'),
    ]);
    // A read of a call that does not exist, refused by the rules: the server answers in one round trip.
    const answers = () =>
      getDocFromServer(doc(db, 'calls', 'reachability-probe')).then(
        () => undefined,
        (error: { code?: string }) => {
          if (error?.code === 'unavailable') throw error;
        },
      );
    return { channel: createFirestoreSignaling({ db, uid }), answers };
  }

  function publish(next: CallClient | null): void {
    client = next;
    if (options.useForElements !== false) setCallClient(next);
    for (const listener of listeners) listener(next);
  }

  const stopAuth = onAuthStateChanged(auth, (user) => {
    const mine = ++generation;
    client?.dispose();
    signaling = null;
    publish(null);
    if (!user) return;
    void channelFor(user.uid)
      .catch((error: unknown) => {
        const cause = (error as Error)?.message ?? String(error);
        console.error(`firecall: signaling for ${user.uid} could not start: ${cause}`);
        // The user is signed in: the elements say the call service is unreachable, not "sign in".
        const fallback: UserSignaling = { channel: unreachableSignaling(user.uid, cause) };
        return fallback;
      })
      .then(({ channel, answers }) => {
        if (mine !== generation) return; // signed out or switched user meanwhile
        signaling = channel;
        const { engine, callServiceTimeoutMs } = options;
        publish(signedInClient({ signaling: channel, signalingAnswers: answers, iceServers, engine, callServiceTimeoutMs }));
      });
  });

  return {
    app,
    auth,
    get client() {
      return client;
    },
    get signaling() {
      return signaling;
    },
    onClientChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      generation++;
      stopAuth();
      client?.dispose();
      publish(null);
      listeners.clear();
    },
  };
}

/** A signed-in user's signaling, and a probe that resolves when its server answers (Firestore's). */
interface UserSignaling {
  channel: SignalingChannel;
  answers?: () => Promise<void>;
}

/** The app the host chose, else its default app; `firebaseConfig` only initializes one when there is none. */
function hostApp(options: ConfigureOptions): FirebaseApp {
  if (options.firebaseApp) return options.firebaseApp;
  const defaultApp = getApps().find((app) => app.name === '[DEFAULT]');
  const wanted = options.firebaseConfig?.projectId;
  if (defaultApp) {
    if (wanted && defaultApp.options.projectId !== wanted) {
      throw new Error(
        `configure(): the page's Firebase app is project "${defaultApp.options.projectId}", not "${wanted}"; pass firebaseApp to pick another app.`,
      );
    }
    return defaultApp;
  }
  if (options.firebaseConfig) return initializeApp(options.firebaseConfig);
  throw new Error('configure() found no Firebase app: call initializeApp(firebaseConfig) first, or pass firebaseConfig or firebaseApp.');
}

function splitHostPort(value: string, what: string): [string, number] {
  const match = /^(?:https?:\/\/)?([^:/]+):(\d+)\/?$/.exec(value.trim());
  if (!match) throw new Error(`emulators.${what} must look like "127.0.0.1:5001", got "${value}".`);
  return [match[1]!, Number(match[2])];
}
