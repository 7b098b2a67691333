import { describe, expect, it } from 'vitest';
import { undocumentedParams } from './deploy-check/documented-params.mjs';
import { emulatorTraces } from './deploy-check/emulator-traces.mjs';
import { judgeHostingBundle } from './deploy-check/hosting-bundle.mjs';
import { declaredRuntime, judgeRuntime } from './deploy-check/runtime.mjs';

describe('deploy check: runtime', () => {
  it('refuses nodejs20 after its decommission date, with what to change', () => {
    const verdict = judgeRuntime('nodejs20', '2026-12-07');
    expect(verdict.level).toBe('fail');
    expect(verdict.message).toContain('decommissioned on 2026-10-30 (38 days ago)');
    expect(verdict.message).toContain('engines.node "24"');
  });

  it('refuses a runtime on its decommission day itself', () => {
    expect(judgeRuntime('nodejs22', '2027-10-31').level).toBe('fail');
  });

  it('warns within six months of decommission and passes before that', () => {
    expect(judgeRuntime('nodejs22', '2027-04-30')).toMatchObject({ level: 'warn', message: expect.stringContaining('in 184 days') });
    expect(judgeRuntime('nodejs22', '2027-04-29').level).toBe('ok');
    expect(judgeRuntime('nodejs24', '2026-12-07')).toEqual({ level: 'ok', message: 'runtime nodejs24 is supported until 2028-10-31' });
  });

  it('refuses a runtime the table does not know, naming the newest', () => {
    const verdict = judgeRuntime('nodejs26', '2026-12-07');
    expect(verdict.level).toBe('fail');
    expect(verdict.message).toMatch(/not in the table.*use nodejs24/);
  });

  it('takes a Date as today and rejects a malformed day', () => {
    expect(judgeRuntime('nodejs20', new Date('2026-06-01T12:00:00Z')).level).toBe('warn');
    expect(() => judgeRuntime('nodejs24', '7.12.2026')).toThrow(/YYYY-MM-DD/);
  });

  it('reads the runtime from firebase.json or engines, and flags a disagreement', () => {
    expect(declaredRuntime({ enginesNode: '24' })).toEqual({ runtime: 'nodejs24', problem: null });
    expect(declaredRuntime({ firebaseJsonRuntime: 'nodejs22', enginesNode: undefined }).runtime).toBe('nodejs22');
    const both = declaredRuntime({ firebaseJsonRuntime: 'nodejs24', enginesNode: '20' });
    expect(both.runtime).toBe('nodejs24'); // firebase deploy uses firebase.json's
    expect(both.problem).toMatch(/make them agree/);
    expect(declaredRuntime({}).problem).toMatch(/no runtime declared/);
  });
});

describe('deploy check: documented params', () => {
  const params = [
    { name: 'TURN_SECRET', type: 'secret' },
    { name: 'TURN_HOSTS', type: 'list' },
  ];

  it('names each param a document leaves out', () => {
    const missing = undocumentedParams(params, {
      'README.md': 'set TURN_SECRET and TURN_HOSTS',
      '.env.example': 'TURN_HOSTS=turn.example.com',
    });
    expect(missing).toEqual(['secret TURN_SECRET is not mentioned in .env.example']);
  });

  it('does not count a longer name as a mention', () => {
    expect(undocumentedParams([{ name: 'TURN_HOSTS', type: 'list' }], { 'README.md': 'TURN_HOSTS_EXTRA' })).toHaveLength(1);
  });
});

describe('deploy check: emulator traces in a hosting build', () => {
  it('finds emulator URLs, ports wired by name, emulator tokens and demo- projects', () => {
    const traces = emulatorTraces({
      'a.js': 'x("http://127.0.0.1:9099");y(f,"localhost",5001);c({functions:"127.0.0.1:5001"});z(`auth`,9099)',
      'b.js': 'iss:`firebase-auth-emulator@example.com`,o={projectId:"demo-firecall"}',
    });
    expect(traces.map((line) => line.split(': ')[1])).toEqual([
      'an emulator URL',
      'an emulator host and port',
      'an emulator host and port',
      'an emulator port wired by name',
      'an Auth emulator token',
      'an emulator-only project (demo-*)',
    ]);
  });

  it("lets the Firebase SDK's own emulator code and a production config through", () => {
    const sdk =
      'function connectAuthEmulator(a,b){x(/^https?:\\/\\//.test(b),a,"invalid-emulator-scheme")};e.innerText=`Running in emulator mode.`';
    const app = 'throw Error(`emulators.${t} must look like "127.0.0.1:5001"`);init({projectId:"firecall-prod",apiKey:"AIza"})';
    expect(emulatorTraces({ 'sdk.js': sdk, 'app.js': app })).toEqual([]);
  });
});

describe('deploy check: the hosting build', () => {
  const page = '<!doctype html><script type="module" src="/assets/index.js"></script>';
  const readsHosting = 'const r=await fetch(`/__/firebase/init.json`);initializeApp(await r.json())';

  it('passes a page that reads its config from Firebase Hosting and has no emulator wiring', () => {
    expect(judgeHostingBundle({ 'index.html': page, 'assets/index.js': readsHosting })).toEqual({
      problems: [],
      configSource: 'its web config from /__/firebase/init.json when served',
    });
  });

  it('fails a page with emulator wiring, naming the file and the trace', () => {
    const { problems } = judgeHostingBundle({ 'index.html': page, 'assets/index.js': `${readsHosting};connect(a,"127.0.0.1",9099)` });
    expect(problems).toEqual([expect.stringMatching(/^assets\/index\.js: an emulator host and port: .*127\.0\.0\.1/)]);
  });

  it('fails a page that could find no project, and a build without index.html', () => {
    expect(judgeHostingBundle({ 'index.html': page, 'assets/index.js': 'initializeApp({})' }).problems).toEqual([
      expect.stringContaining('neither reads /__/firebase/init.json nor has a web config built in'),
    ]);
    expect(judgeHostingBundle({ 'demo/index.html': page, 'assets/index.js': readsHosting }).problems).toEqual([
      expect.stringContaining('no index.html at the root'),
    ]);
  });

  it('checks a config built in with VITE_FIREBASE_CONFIG instead', () => {
    const built = { 'index.html': page, 'assets/index.js': 'initializeApp(JSON.parse(`{"projectId":"acme-crm"}`))' };
    expect(judgeHostingBundle(built, { builtInConfig: '{"projectId":"acme-crm","apiKey":"AIza"}' }).configSource).toBe(
      'the web config of acme-crm built in (VITE_FIREBASE_CONFIG)',
    );
    expect(judgeHostingBundle(built, { builtInConfig: '{"projectId":"other"}' }).problems).toEqual([
      'VITE_FIREBASE_CONFIG is set but project other is not in the bundle',
    ]);
    expect(judgeHostingBundle(built, { builtInConfig: 'apiKey=AIza' }).problems[0]).toMatch(/not a web config with a projectId/);
  });
});
