/**
 * Real TURN credentials for the lab's peers: the Auth and Functions emulators
 * (scripts/emulators.mjs) configured with the lab's coturn, one Auth-emulator
 * user per side, and the `iceServers` callable called the way the app calls it.
 *
 * The emulators run in the root namespace on loopback; Node fetches the
 * credentials and hands them to the page (the browsers sit in namespaces with
 * no route to the host's loopback).
 */
import type { Identity } from './firecall-driver';
import type { IceGrant } from './credentials';

/** scripts/emulators.mjs as the lab uses it (shared with lab/callable-users.ts). */
export interface IceServersClient {
  signUp(email: string, password: string): Promise<{ uid: string }>;
  signIn(email: string, password: string): Promise<{ uid: string }>;
  call(data?: unknown): Promise<IceGrant & { ttlSeconds: number }>;
  close(): Promise<void>;
}
export interface EmulatorsModule {
  startEmulators(
    options: Record<string, unknown>,
  ): Promise<{ authUrl: string; functionsUrl: string; startupMs: number; stop(): Promise<void> }>;
  createIceServersClient(options: { authUrl: string; functionsUrl: string }): Promise<IceServersClient>;
}

export const EMULATORS_MODULE = new URL('../../scripts/emulators.mjs', import.meta.url).href;

/**
 * One Auth-emulator user (signed up on first use) whose `grant()` calls the real callable;
 * its client joins `clients`, which the caller closes. `onGrant` counts the calls.
 */
export async function signInUser(
  mod: EmulatorsModule,
  emulators: { authUrl: string; functionsUrl: string },
  clients: IceServersClient[],
  email: string,
  onGrant?: () => void,
): Promise<Identity> {
  const client = await mod.createIceServersClient(emulators);
  clients.push(client);
  const password = 'lab-password-1';
  const user = await client.signUp(email, password).catch(() => client.signIn(email, password));
  return {
    uid: user.uid,
    grant: async () => {
      onGrant?.();
      const { iceServers, expiresAt } = await client.call();
      return { iceServers, expiresAt };
    },
  };
}

export interface LabCredentials {
  /** Signed-in caller and callee whose `grant()` calls the real callable. */
  caller: Identity;
  callee: Identity;
  startupMs: number;
  stop(): Promise<void>;
}

export interface CredentialsInput {
  secret: string;
  turnHost: string;
  /** Every TURN host the callable hands out (failover); defaults to [turnHost]. */
  turnHosts?: string[];
  transports: string[];
  stunUrls: string[];
  log?: (line: string) => void;
}

export async function startCredentials(input: CredentialsInput): Promise<LabCredentials> {
  const mod = (await import(EMULATORS_MODULE)) as EmulatorsModule;
  const emulators = await mod.startEmulators({
    turnSecret: input.secret,
    turnHosts: input.turnHosts ?? [input.turnHost],
    stunUrls: input.stunUrls,
    transports: input.transports,
    ttlSeconds: 600,
    // The benchmark places many calls per user; the abuse limit is tested elsewhere.
    ratePerMinute: 10_000,
    readyTimeoutMs: 360_000,
    log: input.log ?? (() => undefined),
  });
  const clients: IceServersClient[] = [];
  try {
    const identity = (name: string) => signInUser(mod, emulators, clients, `${name}@lab.firecall.test`);
    const caller = await identity('caller');
    const callee = await identity('callee');
    // A callable configured for another coturn (another run's emulator) would make every relay fail obscurely.
    const sample = JSON.stringify((await caller.grant()).iceServers);
    if (!sample.includes(input.turnHost)) {
      throw new Error(`the iceServers callable answered ${sample}, which does not name the lab's TURN host ${input.turnHost}`);
    }
    return {
      caller,
      callee,
      startupMs: emulators.startupMs,
      async stop() {
        await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
        await emulators.stop();
      },
    };
  } catch (error) {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await emulators.stop();
    throw error;
  }
}
