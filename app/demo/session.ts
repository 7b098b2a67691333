/** What a sign-in mode hands the page: who is signed in, their call client, and notices for the user. */
import type { CallClient } from '../src/engine';
import type { IceServerProvider } from '../src/call/types';
import type { SignalingChannel } from '../src/signaling/channel';
import type { Person } from './people';

export type Persona = 'ana' | 'ben';

export interface DemoSession {
  persona: Persona;
  me: Person;
  /** The other demo user; null on a hosted page until their uid is known (an invite link carries it). */
  other: Person | null;
  /** Null while the call client is being built after sign-in. */
  client: CallClient | null;
  signaling: SignalingChannel | null;
}

export interface DemoPage {
  readonly params: URLSearchParams;
  notice(text: string): void;
  show(session: DemoSession | null): void;
}

/** Signs in as a demo user, or out (null). */
export type SignIn = (who: Persona | null) => void;

export const noTurn: IceServerProvider = async () => ({ iceServers: [], expiresAt: Date.now() + 3600_000 });

/** The `iceServers` callable, falling back to direct connections (and saying so) when it fails. */
export function iceServersOrDirect(callable: IceServerProvider, page: DemoPage): IceServerProvider {
  return async () => {
    try {
      return await callable();
    } catch (error) {
      page.notice(`TURN credentials unavailable (${(error as Error).message}); calling with direct connections only.`);
      return noTurn();
    }
  };
}
