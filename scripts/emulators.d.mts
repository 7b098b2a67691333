// Types for scripts/emulators.mjs (see the header there for behaviour).
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
  projectId?: string;
  log?: (line: string) => void;
  build?: boolean;
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
  output(): string;
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
  call(data?: unknown): Promise<IceServersResult>;
  close(): Promise<void>;
}

export function startEmulators(options: StartEmulatorsOptions): Promise<RunningEmulators>;

export function createIceServersClient(options: {
  authUrl: string;
  functionsUrl: string;
  projectId?: string;
  region?: string;
}): Promise<IceServersClient>;

export function signInAndFetchIceServers(options: {
  email: string;
  password: string;
  authUrl: string;
  functionsUrl: string;
  projectId?: string;
  data?: unknown;
}): Promise<IceServersResult & { uid: string; idToken: string }>;
