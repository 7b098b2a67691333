// Types and behaviour of scripts/emulators.mjs.
import type { Auth, User } from 'firebase/auth';

export interface StartEmulatorsOptions {
  /** coturn static-auth-secret; an array is a rotation list whose first entry signs. */
  turnSecret: string | string[];
  turnHosts: string[];
  /** Empty: stun:<host>:<first udp port> for each TURN host. */
  stunUrls?: string[];
  /** Default ['udp:3478', 'tcp:3478', 'tls:443']; 'tcp:443' gives turn:host:443?transport=tcp. */
  transports?: string[];
  /** Default and maximum credential lifetime, 60..86400; default 3600. */
  ttlSeconds?: number;
  /** iceServers calls per user per minute; default 30. */
  ratePerMinute?: number;
  /** Default 'demo-firecall'. */
  projectId?: string;
  /** Every line the emulators print, function logs included. */
  log?: (line: string) => void;
  /** Compile functions/src first (once per content, into .firecall/functions-build/). Default true. */
  build?: boolean;
  /** Default 240000: minutes under heavy load are possible. */
  readyTimeoutMs?: number;
  /** Also start the Firestore emulator (needs Java 21); firestoreUrl is then set. */
  withFirestore?: boolean;
  /** Extra environment for the firebase CLI (e.g. the Java and jar found by firestoreEmulatorSetup). */
  env?: Record<string, string>;
  only?: Array<'auth' | 'functions' | 'firestore'>;
  ports?: Partial<Record<'auth' | 'functions' | 'firestore', number>>;
  /** Default true: firebase.json's ports when free. Tests: false, always OS-chosen free ports. */
  preferConfiguredPorts?: boolean;
}

export interface RunningEmulators {
  authUrl: string;
  functionsUrl: string;
  firestoreUrl: string | null;
  hubUrl: string | null;
  iceServersUrl: string;
  projectId: string;
  region: string;
  startupMs: number;
  /** Everything the emulators printed so far. */
  output(): string;
  /** Ends the whole process group, waits, and removes the run directory; a second call is fine. */
  stop(): Promise<void>;
}

export interface IceServersResult {
  iceServers: Array<{ urls: string[]; username?: string; credential?: string }>;
  /** Epoch ms when the TURN credentials expire. */
  expiresAt: number;
  ttlSeconds: number;
}

export interface IceServersClient {
  auth: Auth;
  signUp(email: string, password: string): Promise<User>;
  signIn(email: string, password: string): Promise<User>;
  /** Rejects with the SDK's FunctionsError (`code` like 'functions/unauthenticated'). */
  call(data?: unknown): Promise<IceServersResult>;
  close(): Promise<void>;
}

/**
 * Starts `firebase emulators:start` (auth and functions by default) in its own process group and
 * resolves once the `iceServers` callable answers. A port taken by someone else during the CLI's
 * slow start is retried on other ports (3 tries). Tests should pass `preferConfiguredPorts: false`:
 * two runs starting together would otherwise both pick 9099.
 */
export function startEmulators(options: StartEmulatorsOptions): Promise<RunningEmulators>;

/** A firebase@12 client app in Node, wired to the emulators. */
export function createIceServersClient(options: {
  authUrl: string;
  functionsUrl: string;
  projectId?: string;
  region?: string;
}): Promise<IceServersClient>;

/** Creates the Auth-emulator user if needed, signs in, calls `iceServers` once, cleans up. */
export function signInAndFetchIceServers(options: {
  email: string;
  password: string;
  authUrl: string;
  functionsUrl: string;
  projectId?: string;
  data?: unknown;
}): Promise<IceServersResult & { uid: string; idToken: string }>;
