#!/usr/bin/env node
// `npm run deploy:check`: what `firebase deploy` would refuse or ship broken, found before a deploy.
//   functions  built as firebase.json's predeploy builds them, then loaded and listed
//   runtime    the declared Cloud Functions runtime against its decommission date
//   params     every param and secret the functions define is documented
//   emulators  the functions loaded by the Functions emulator (which Node runs them), and
//              firestore.rules compiled on the Firestore emulator where it can run
//   indexes    firestore.indexes.json validated as `firebase deploy` validates it
//   hosting    the demo built for Firebase Hosting finds its project's web config and has no emulator wiring
// One line per check; exit 1 when any check fails. DEPLOY_CHECK_TODAY=YYYY-MM-DD judges the
// runtime as of another day.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { undocumentedParams } from './deploy-check/documented-params.mjs';
import { judgeHostingBundle } from './deploy-check/hosting-bundle.mjs';
import { rulesCompileErrors } from './deploy-check/firestore-rules.mjs';
import { declaredRuntime, judgeRuntime } from './deploy-check/runtime.mjs';
import { startEmulators } from './emulators.mjs';
import { firestoreEmulatorSetup } from './firestore-emulator.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const functionsDir = join(root, 'functions');
const read = (path) => readFileSync(join(root, path), 'utf8');
const counts = { ok: 0, warn: 0, fail: 0, skipped: 0 };

function report(level, check, message) {
  counts[level]++;
  const label = { ok: 'ok     ', warn: 'WARN   ', fail: 'FAIL   ', skipped: 'SKIPPED' }[level];
  const line = `${level === 'skipped' ? '!!!!! ' : ''}${label} ${check.padEnd(10)} ${message}`;
  (level === 'fail' ? console.error : console.log)(line);
}

console.log(`deploy:check on node ${process.version}`);
const firebaseJson = JSON.parse(read('firebase.json'));
const functionsPackage = JSON.parse(read('functions/package.json'));

// ---- runtime ------------------------------------------------------------------------------
const codebase = firebaseJson.functions?.[0] ?? {};
const declared = declaredRuntime({ firebaseJsonRuntime: codebase.runtime, enginesNode: functionsPackage.engines?.node });
if (declared.problem) report('fail', 'runtime', declared.problem);
if (declared.runtime) {
  const today = process.env.DEPLOY_CHECK_TODAY || new Date();
  const verdict = judgeRuntime(declared.runtime, today);
  report(
    verdict.level,
    'runtime',
    `${verdict.message} (judged on ${typeof today === 'string' ? today : today.toISOString().slice(0, 10)})`,
  );
  const major = declared.runtime.replace('nodejs', '');
  if (process.versions.node.split('.')[0] !== major) {
    report(
      'warn',
      'runtime',
      `this check runs on node ${process.version} but the functions declare ${declared.runtime}, so it loaded them on another Node: make the node dev dependency and the runtime the same major, and run the check with \`npm run\``,
    );
  }
}

// ---- functions: build as predeploy does, then load -----------------------------------------
let loaded = null;
const build = spawnSync('npm', ['--prefix', functionsDir, 'run', 'build'], { cwd: root, encoding: 'utf8' });
if (build.status !== 0) {
  report('fail', 'functions', `the predeploy build failed (npm --prefix functions run build):\n${build.stdout}${build.stderr}`);
} else {
  const load = spawnSync(process.execPath, [join(root, 'scripts', 'deploy-check', 'load-functions.cjs'), functionsDir], {
    encoding: 'utf8',
  });
  try {
    if (load.status !== 0) throw new Error(load.stderr.trim().split('\n').slice(0, 8).join('\n'));
    loaded = JSON.parse(load.stdout);
    if (loaded.functions.length === 0) report('fail', 'functions', `${functionsPackage.main} exports no Cloud Function`);
    else {
      const list = loaded.functions.map((f) => `${f.name} (${f.trigger}${f.secrets.length ? `, secrets ${f.secrets.join(', ')}` : ''})`);
      report('ok', 'functions', `built and loaded on node ${process.version}: ${list.join('; ')}`);
    }
  } catch (error) {
    report('fail', 'functions', `functions/${functionsPackage.main} does not load: ${error.message}`);
  }
}

// ---- params and secrets --------------------------------------------------------------------
if (loaded) {
  const missing = undocumentedParams(loaded.params, {
    'README.md': read('README.md'),
    'functions/.env.example': read('functions/.env.example'),
  });
  for (const line of missing) report('fail', 'params', line);
  if (missing.length === 0)
    report('ok', 'params', `${loaded.params.map((p) => p.name).join(', ')} documented in README.md and functions/.env.example`);
}

// ---- indexes (offline, with firebase-tools' own validation) --------------------------------
try {
  const require = createRequire(import.meta.url);
  const { FirestoreApi } = require('firebase-tools/lib/firestore/api.js');
  const spec = JSON.parse(read(firebaseJson.firestore.indexes));
  new FirestoreApi().validateSpec(spec);
  const ttl = (spec.fieldOverrides ?? []).filter((field) => field.ttl).map((field) => `${field.collectionGroup}.${field.fieldPath}`);
  if (!ttl.includes('signals.expireAt'))
    report('fail', 'indexes', 'no TTL policy on signals.expireAt in fieldOverrides: old signals would never be deleted');
  else report('ok', 'indexes', `${spec.indexes.length} composite indexes valid; TTL on ${ttl.join(', ')}`);
} catch (error) {
  report('fail', 'indexes', `${firebaseJson.firestore?.indexes ?? 'firestore.indexes.json'}: ${error.message}`);
}

// ---- emulators: the functions' runtime and the rules' compiler ----------------------------
await checkOnEmulators();

// ---- hosting --------------------------------------------------------------------------------
checkHosting();

console.log(`\ndeploy:check: ${counts.ok} ok, ${counts.warn} warnings, ${counts.fail} failed, ${counts.skipped} skipped`);
process.exit(counts.fail > 0 ? 1 : 0);

async function checkOnEmulators() {
  const firestore = firestoreEmulatorSetup();
  if (firestore.problem) report('skipped', 'rules', `firestore.rules not compiled: ${firestore.problem}`);
  const lines = [];
  let emulators;
  try {
    emulators = await startEmulators({
      turnSecret: 'deploy-check-secret',
      turnHosts: ['turn.example.com'],
      withFirestore: !firestore.problem,
      env: firestore.env ?? {},
      preferConfiguredPorts: false,
      log: (line) => lines.push(line),
      readyTimeoutMs: 400_000,
    });
    const runtimeLine = lines.find((line) => /Using node@\d+|requested "node" version/.test(line));
    const major = declared.runtime?.replace('nodejs', '');
    if (!runtimeLine) report('warn', 'emulator', 'the Functions emulator did not say which node runs the functions');
    else
      report(
        runtimeLine.includes(`node@${major} `) ? 'ok' : 'fail',
        'emulator',
        `Functions emulator: ${runtimeLine.replace(/^.*?functions:\s*/, '').trim()}`,
      );
    if (emulators.firestoreUrl) {
      const errors = await rulesCompileErrors({
        firestoreUrl: emulators.firestoreUrl,
        projectId: emulators.projectId,
        name: firebaseJson.firestore.rules,
        source: read(firebaseJson.firestore.rules),
      });
      for (const line of errors) report('fail', 'rules', line);
      if (errors.length === 0) report('ok', 'rules', `${firebaseJson.firestore.rules} compiles on the Firestore emulator`);
    }
  } catch (error) {
    report('fail', 'emulator', error.message.split('\n').slice(0, 12).join('\n'));
  } finally {
    await emulators?.stop();
  }
}

function checkHosting() {
  // Built as `npm run build:demo -w app` builds it for firebase.json's hosting, into a scratch folder.
  const outDir = mkdtempSync(join(tmpdir(), 'firecall-hosting-'));
  try {
    const built = spawnSync(
      'npx',
      ['vite', 'build', '--config', 'app/vite.config.ts', '--mode', 'demo', '--outDir', outDir, '--emptyOutDir'],
      { cwd: root, encoding: 'utf8' },
    );
    if (built.status !== 0)
      return report('fail', 'hosting', `the demo build failed (vite build --mode demo):\n${built.stdout}${built.stderr}`);
    const files = {};
    for (const path of listFiles(outDir))
      if (/\.(js|html|css|json)$/.test(path)) files[relative(outDir, path)] = readFileSync(path, 'utf8');
    const { problems, configSource } = judgeHostingBundle(files, { builtInConfig: process.env.VITE_FIREBASE_CONFIG });
    for (const line of problems) report('fail', 'hosting', line);
    if (problems.length === 0)
      report(
        'ok',
        'hosting',
        `demo built for ${firebaseJson.hosting?.public ?? 'hosting'} (${Object.keys(files).length} files): no emulator wiring, ${configSource}`,
      );
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
