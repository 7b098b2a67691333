/**
 * Builds the RTCIceServer list a browser gets: STUN first, then one TURN entry per host
 * with its URLs in the configured transport order (UDP, TCP, then TLS by default),
 * so a browser tries the cheapest relay first and TURNS on 443 last.
 */
import type { TurnCredentials } from './credentials';

/** How a TURN host is reached: `udp:3478` -> turn:?transport=udp, `tcp:443` -> turn:?transport=tcp, `tls:443` -> turns:. */
export interface TurnTransport {
  kind: 'udp' | 'tcp' | 'tls';
  port: number;
}

/** The shape RTCPeerConnection accepts (`RTCIceServer`), restricted to what we send. */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export const DEFAULT_TRANSPORTS = ['udp:3478', 'tcp:3478', 'tls:443'] as const;

/** Parses `udp:3478` style transport specs; throws a sentence naming the bad entry. */
export function parseTransport(spec: string): TurnTransport {
  const match = /^(udp|tcp|tls):(\d{1,5})$/.exec(spec.trim().toLowerCase());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new Error(`TURN transport "${spec}" is not of the form udp:PORT, tcp:PORT or tls:PORT (e.g. udp:3478, tls:443).`);
  }
  return { kind: match[1] as TurnTransport['kind'], port };
}

/** `turn.example.com`, `203.0.113.7` or an IPv6 literal (bare or in brackets); no scheme, port or path. */
export function normalizeTurnHost(host: string): string {
  const trimmed = host.trim();
  if (/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(trimmed)) return trimmed.toLowerCase();
  const bare = trimmed.replace(/^\[(.*)\]$/, '$1');
  if (bare.includes(':') && /^[0-9A-Fa-f:.]+$/.test(bare)) return `[${bare.toLowerCase()}]`;
  throw new Error(
    `TURN host "${host}" is not a host name or IP address (give only the host, e.g. turn.example.com, without scheme or port).`,
  );
}

export function turnUrl(host: string, transport: TurnTransport): string {
  const scheme = transport.kind === 'tls' ? 'turns' : 'turn';
  const protocol = transport.kind === 'udp' ? 'udp' : 'tcp';
  return `${scheme}:${host}:${transport.port}?transport=${protocol}`;
}

export interface IceServerListInput {
  stunUrls: readonly string[];
  turnHosts: readonly string[];
  transports: readonly TurnTransport[];
  credentials: TurnCredentials;
}

export function buildIceServers({ stunUrls, turnHosts, transports, credentials }: IceServerListInput): IceServer[] {
  const servers: IceServer[] = [];
  if (stunUrls.length > 0) servers.push({ urls: [...stunUrls] });
  for (const host of turnHosts) {
    servers.push({
      urls: transports.map((transport) => turnUrl(host, transport)),
      username: credentials.username,
      credential: credentials.credential,
    });
  }
  return servers;
}
