import { describe, expect, it } from 'vitest';
import { callerRegion, orderGroupsFor, parseTurnHostGroups } from './regions';

const groups = parseTurnHostGroups([
  'europe=turn-fra-1.example.com',
  'americas-east=turn-iad-1.example.com',
  'asia=turn-sin-1.example.com',
  'europe=turn-fra-2.example.com',
  'americas-west=turn-sfo-1.example.com',
]);
const regions = (caller: Parameters<typeof orderGroupsFor>[1]) => orderGroupsFor(groups, caller).map((group) => group.region);

describe('TURN host groups by region', () => {
  it('groups hosts by region in the order regions first appear', () => {
    expect(groups).toEqual([
      { region: 'europe', hosts: ['turn-fra-1.example.com', 'turn-fra-2.example.com'] },
      { region: 'americas-east', hosts: ['turn-iad-1.example.com'] },
      { region: 'asia', hosts: ['turn-sin-1.example.com'] },
      { region: 'americas-west', hosts: ['turn-sfo-1.example.com'] },
    ]);
    expect(parseTurnHostGroups(['turn.example.com', '203.0.113.7'])).toEqual([
      { region: null, hosts: ['turn.example.com', '203.0.113.7'] },
    ]);
  });

  it('refuses a region that is not a continent, naming the entry', () => {
    expect(() => parseTurnHostGroups(['eu=turn-fra.example.com'])).toThrow(
      /TURN_HOSTS entry "eu=turn-fra.example.com": the region must be one of europe, americas/,
    );
    expect(() => parseTurnHostGroups(['europe=https://turn.example.com'])).toThrow(/is not a host name/);
  });

  it("puts the caller's continent first, then nearer continents before farther ones", () => {
    expect(regions(callerRegion('Europe/Berlin'))).toEqual(['europe', 'asia', 'americas-east', 'americas-west']);
    expect(regions(callerRegion('America/Argentina/Buenos_Aires'))).toEqual(['americas-east', 'americas-west', 'europe', 'asia']);
    expect(regions(callerRegion('Australia/Sydney'))).toEqual(['asia', 'americas-east', 'americas-west', 'europe']);
  });

  it('puts a group the caller names before the rest of its continent', () => {
    expect(regions(callerRegion('americas-west'))).toEqual(['americas-west', 'americas-east', 'europe', 'asia']);
  });

  it('falls back to a country header, then to the configured order', () => {
    expect(regions(callerRegion(undefined, { 'x-appengine-country': 'JP' }))).toEqual(['asia', 'europe', 'americas-east', 'americas-west']);
    expect(regions(callerRegion('Etc/UTC', { 'x-client-region': 'de' }))).toEqual(['europe', 'asia', 'americas-east', 'americas-west']);
    expect(callerRegion('Etc/UTC', { 'x-client-region': 'ZZ' })).toBeUndefined();
    expect(regions(undefined)).toEqual(['europe', 'americas-east', 'asia', 'americas-west']);
  });

  it('serves hosts listed without a region after every regional group', () => {
    const mixed = parseTurnHostGroups(['turn-any.example.com', 'asia=turn-sin.example.com']);
    expect(orderGroupsFor(mixed, callerRegion('Europe/Paris')).map((group) => group.region)).toEqual(['asia', null]);
  });
});
