/**
 * TURN host groups by region, and which group a caller should try first.
 *
 * TURN_HOSTS entries are `region=host` (e.g. `europe=turn-fra-1.example.com`) or a bare host.
 * A region is a continent (`europe`, `americas`, `asia`, `africa`, `oceania`), optionally with a
 * suffix of the operator's (`americas-west`). A caller's region comes from a hint it sends (a group
 * name, a continent or its IANA time zone) or, failing that, from a country header in the request.
 * Nearer continents come first because relay round trips add to every packet of the call.
 */
import { normalizeTurnHost } from './iceServerList';

export const CONTINENTS = ['europe', 'americas', 'asia', 'africa', 'oceania'] as const;
export type Continent = (typeof CONTINENTS)[number];

export interface TurnHostGroup {
  /** `europe`, `americas-west`...; null for hosts listed without a region (served after all regions). */
  region: string | null;
  hosts: string[];
}

/** Where a caller is, as far as we can tell: a group name it asked for and/or its continent. */
export interface CallerRegion {
  group?: string;
  continent?: Continent;
  /** What told us: for the log line, so operators can see why an answer was ordered so. */
  source: 'hint' | 'header';
}

/** Continents by typical round trip from each other, nearest first. */
const NEAREST: Record<Continent, readonly Continent[]> = {
  europe: ['europe', 'africa', 'asia', 'americas', 'oceania'],
  americas: ['americas', 'europe', 'oceania', 'asia', 'africa'],
  asia: ['asia', 'oceania', 'europe', 'africa', 'americas'],
  africa: ['africa', 'europe', 'asia', 'americas', 'oceania'],
  oceania: ['oceania', 'asia', 'americas', 'europe', 'africa'],
};

/** ISO 3166 country codes per continent (for country headers set by a load balancer or proxy). */
const COUNTRIES: Record<Continent, string> = {
  europe:
    'AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK',
  americas:
    'AG AI AR AW BB BL BM BO BQ BR BS BZ CA CL CO CR CU CW DM DO EC FK GD GF GL GP GT GY HN HT JM KN KY LC MF MQ MS MX NI PA PE PM PR PY SR SV SX TC TT US UY VC VE VG VI',
  asia: 'AE AF AM AZ BD BH BN BT CN GE HK ID IL IN IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TR TW UZ VN YE',
  africa:
    'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW',
  oceania: 'AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV VU WF WS',
};
const CONTINENT_OF_COUNTRY = new Map<string, Continent>(
  CONTINENTS.flatMap((continent) => COUNTRIES[continent].split(' ').map((code) => [code, continent] as const)),
);

/** The first part of an IANA time zone name says the continent well enough for picking a relay. */
const CONTINENT_OF_ZONE_AREA: Record<string, Continent> = {
  europe: 'europe',
  arctic: 'europe',
  atlantic: 'europe',
  america: 'americas',
  asia: 'asia',
  indian: 'asia',
  africa: 'africa',
  australia: 'oceania',
  pacific: 'oceania',
};

/** Request headers that carry the caller's country, first match wins (see README "Scaling"). */
export const COUNTRY_HEADERS = ['x-client-region', 'x-appengine-country', 'cf-ipcountry'] as const;

const REGION_NAME = /^[a-z]+(?:-[a-z0-9]+)*$/;

/** Parses TURN_HOSTS entries into groups, in the order each region first appears; throws a sentence per bad entry. */
export function parseTurnHostGroups(entries: readonly string[]): TurnHostGroup[] {
  const groups: TurnHostGroup[] = [];
  for (const entry of entries) {
    const separator = entry.indexOf('=');
    const region = separator < 0 ? null : entry.slice(0, separator).trim().toLowerCase();
    if (region !== null && (!REGION_NAME.test(region) || continentOf(region) === undefined)) {
      throw new Error(
        `TURN_HOSTS entry "${entry}": the region must be one of ${CONTINENTS.join(', ')}, optionally with a suffix (e.g. europe=turn-fra.example.com, americas-west=turn-sfo.example.com).`,
      );
    }
    const host = normalizeTurnHost(separator < 0 ? entry : entry.slice(separator + 1));
    const group = groups.find((candidate) => candidate.region === region);
    if (group) {
      if (!group.hosts.includes(host)) group.hosts.push(host);
    } else {
      groups.push({ region, hosts: [host] });
    }
  }
  return groups;
}

/**
 * The caller's region from its hint (a group name, a continent or an IANA time zone such as
 * `Europe/Berlin`), else from a country header. Unknown hints are not an error: the caller then
 * gets the configured order, which works everywhere, only with a longer relay path.
 */
export function callerRegion(hint: string | undefined, headers: Readonly<Record<string, unknown>> = {}): CallerRegion | undefined {
  if (hint) {
    const lower = hint.toLowerCase();
    const continent = continentOf(lower) ?? CONTINENT_OF_ZONE_AREA[lower.split('/')[0]!];
    if (continent) return { group: lower.includes('/') ? undefined : lower, continent, source: 'hint' };
  }
  for (const name of COUNTRY_HEADERS) {
    const value = headers[name];
    const country = Array.isArray(value) ? value[0] : value;
    if (typeof country !== 'string') continue;
    const continent = CONTINENT_OF_COUNTRY.get(country.trim().slice(0, 2).toUpperCase());
    if (continent) return { continent, source: 'header' };
  }
  return undefined;
}

/**
 * Groups in the order the caller should try them: the group it named, then its continent's
 * groups, then nearer continents before farther ones, then hosts without a region.
 * Without a caller region the configured order stands. The sort is stable, so equally near
 * groups keep the operator's order.
 */
export function orderGroupsFor(groups: readonly TurnHostGroup[], caller: CallerRegion | undefined): TurnHostGroup[] {
  if (!caller?.continent) return [...groups];
  const nearest = NEAREST[caller.continent];
  const rank = (group: TurnHostGroup): number => {
    if (group.region === null) return nearest.length + 1;
    if (caller.group !== undefined && group.region === caller.group) return -1;
    return nearest.indexOf(continentOf(group.region)!);
  };
  return [...groups].sort((a, b) => rank(a) - rank(b));
}

function continentOf(region: string): Continent | undefined {
  const head = region.split('-')[0];
  return CONTINENTS.find((continent) => continent === head);
}
