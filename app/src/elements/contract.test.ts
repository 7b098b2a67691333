import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import CallElement from './CallElement.ce.vue';
import IncomingCall from './IncomingCall.ce.vue';
import { customElementsManifest, elements, elementTypingsSource } from './contract';

const source = (file: string) => readFileSync(new URL(file, import.meta.url), 'utf8');
/** Every part name a template uses (part="a b" counts both). */
function partsIn(...files: string[]): Set<string> {
  const names = files.flatMap((f) => [...source(f).matchAll(/\spart="([^"]+)"/g)].flatMap((m) => m[1]!.split(/\s+/)));
  return new Set(names);
}
const contract = (tag: string) => elements.find((e) => e.tagName === tag)!;
const propNames = (component: unknown) => Object.keys((component as { props: Record<string, unknown> }).props).sort();

describe('documented element contract', () => {
  it('lists exactly the parts the templates render', () => {
    const used = partsIn('./CallView.ce.vue', './CallElement.ce.vue', './IncomingCall.ce.vue');
    const documented = new Set(elements.flatMap((e) => e.parts.map((p) => p.name)));
    expect([...documented].sort()).toEqual([...used].sort());
  });

  it('lists exactly the public properties of each component', () => {
    const members = (tag: string) =>
      contract(tag)
        .members.filter((m) => m.name !== 'snapshot')
        .map((m) => m.name)
        .sort();
    expect(propNames(CallElement).filter((p) => p !== 'kind')).toEqual(members('video-call'));
    expect(members('voice-call')).toEqual(members('video-call'));
    expect(propNames(IncomingCall)).toEqual(members('incoming-call'));
  });

  it('matches the committed custom-elements.json', () => {
    const committed = JSON.parse(source('../../custom-elements.json'));
    expect(committed).toEqual(customElementsManifest());
  });

  it('matches the committed typings, so what a page type-checks against is what the elements have', () => {
    expect(source('./attributes.generated.ts')).toBe(elementTypingsSource());
  });
});
