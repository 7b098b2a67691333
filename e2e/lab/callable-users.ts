/**
 * Many signed-in users whose TURN credentials come from the real `iceServers` callable
 * (Auth + Functions emulators), one user per browser tab: a load run places calls between
 * distinct users, as in production, so coturn's per-user allocation quota and the callable's
 * per-user rate limit apply the way they would there. (lab/emulator.ts does the same for
 * one caller and one callee.)
 */
import type { Identity } from './firecall-driver';
import { EMULATORS_MODULE, signInUser, type EmulatorsModule, type IceServersClient } from './emulator';

export interface CallableUsersInput {
  secret: string;
  turnHost: string;
  transports: string[];
  stunUrls: string[];
  /** Names of the users to sign up, e.g. ['caller-1', 'callee-1', ...]. */
  names: string[];
  /** The callable's per-user limit; the production default (30 per minute) unless a test needs more. */
  ratePerMinute?: number;
}

export interface CallableUsers {
  /** Signed-in users in the order of `names`; `grant()` calls the callable, and counts it. */
  users: Identity[];
  /** Callable calls made so far, per user. */
  grants: number[];
  startupMs: number;
  stop(): Promise<void>;
}

export async function startCallableUsers(input: CallableUsersInput): Promise<CallableUsers> {
  const mod = (await import(EMULATORS_MODULE)) as EmulatorsModule;
  const emulators = await mod.startEmulators({
    turnSecret: input.secret,
    turnHosts: [input.turnHost],
    stunUrls: input.stunUrls,
    transports: input.transports,
    ttlSeconds: 600,
    ratePerMinute: input.ratePerMinute ?? 30,
    readyTimeoutMs: 360_000,
    preferConfiguredPorts: false,
  });
  const clients: IceServersClient[] = [];
  const closeClients = () => Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  try {
    const grants = input.names.map(() => 0);
    const users = await Promise.all(
      input.names.map((name, index) =>
        signInUser(mod, emulators, clients, `${name}@load.firecall.test`, () => {
          grants[index] = (grants[index] ?? 0) + 1;
        }),
      ),
    );
    return {
      users,
      grants,
      startupMs: emulators.startupMs,
      async stop() {
        await closeClients();
        await emulators.stop();
      },
    };
  } catch (error) {
    await closeClients();
    await emulators.stop();
    throw error;
  }
}
