/**
 * Deployment parameters of the `iceServers` callable. Values come from functions/.env.<project>
 * (deploy), functions/.env.local (emulator) and, for TURN_SECRET, Secret Manager
 * (emulator: functions/.secret.local). See functions/.env.example.
 */
import { defineInt, defineList, defineSecret } from 'firebase-functions/params';
import { readIceConfig, type IceConfig } from './config';
import { DEFAULT_TRANSPORTS, parseTransport, type TurnTransport } from './iceServerList';
import { parseTurnHostGroups } from './regions';

export const turnSecret = defineSecret('TURN_SECRET', {
  description: 'coturn static-auth-secret(s), comma separated for rotation; the first one signs.',
});
export const turnHosts = defineList('TURN_HOSTS', {
  description: 'coturn host names, each optionally with its region: europe=turn-fra.example.com,americas=turn-iad.example.com',
});
export const stunUrls = defineList('STUN_URLS', {
  description: 'STUN URLs; empty means stun:<host>:3478 on every TURN host',
  default: [],
});
export const turnTransports = defineList('TURN_TRANSPORTS', {
  description: 'transports per TURN host: udp:PORT (turn:), tcp:PORT (turn:), tls:PORT (turns:)',
  default: [...DEFAULT_TRANSPORTS],
});
export const turnTtlSeconds = defineInt('TURN_TTL_SECONDS', {
  description: 'default and maximum lifetime of TURN credentials, 60..86400 s',
  default: 3600,
});
export const ratePerMinute = defineInt('ICE_SERVERS_PER_MINUTE', {
  description: 'iceServers calls allowed per user per minute (per function instance)',
  default: 30,
});

/** Reads the parameters at call time (secrets are only available then) and checks them. */
export function readIceConfigFromParams(): IceConfig {
  return readIceConfig({
    turnSecret: turnSecret.value(),
    turnHosts: turnHosts.value(),
    stunUrls: stunUrls.value(),
    transports: turnTransports.value(),
    ttlSeconds: turnTtlSeconds.value(),
    ratePerMinute: ratePerMinute.value(),
  });
}

/** What the health probe needs: the hosts and their ports, not the secret. */
export function readProbeTargetsFromParams(): { hosts: string[]; transports: TurnTransport[] } {
  return {
    hosts: parseTurnHostGroups(turnHosts.value()).flatMap((group) => group.hosts),
    transports: turnTransports.value().map(parseTransport),
  };
}
