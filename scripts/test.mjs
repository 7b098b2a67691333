#!/usr/bin/env node
// `npm test`: runs every suite with what it needs, or says loudly why a suite was skipped.
// Suites are the vitest projects in vitest.config.ts. Pick some with `npm test -- unit turn`.
// As root on Debian a missing system package is installed; otherwise the suite is skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firestoreEmulatorSetup } from './firestore-emulator.mjs';
import { ensurePackages, isRoot } from './system-packages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = join(root, '.artifacts');
mkdirSync(artifacts, { recursive: true });

const suites = [
  { name: 'unit', what: 'engine, signaling, elements (happy-dom), functions logic', needs: () => null },
  { name: 'emulator', what: 'iceServers callable on the Auth + Functions emulators', needs: () => null },
  { name: 'turn', what: 'coturn: credentials, expiry, relay abuse, TURN host loss, 8-call load', needs: () => ensurePackages(['coturn']) },
  {
    name: 'firestore',
    what: 'Firestore adapter contract and security rules on the Firestore emulator',
    needs() {
      const setup = firestoreEmulatorSetup();
      this.env = setup.env;
      return setup.problem;
    },
    // rules-unit-testing finds the emulator through FIRESTORE_EMULATOR_HOST, which emulators:exec sets.
    wrap: (cmd) => ['npx', 'firebase', 'emulators:exec', '--only', 'firestore', '--project', 'demo-firecall', cmd.join(' ')],
  },
  { name: 'browser', what: 'custom elements and demo page in Chromium', needs: () => ensurePackages(['chromium']) },
  {
    name: 'lab',
    what: 'network lab: two Chromiums (and a Chromium <-> Firefox pass) behind NATs and firewalls, coturn',
    needs: () =>
      isRoot
        ? ensurePackages(['chromium', 'firefox-esr', 'coturn', 'iptables', 'iproute2', 'python3'])
        : 'needs root for network namespaces',
  },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !suites.some((suite) => suite.name === name));
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; suites are ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
let broken = false;

for (const suite of suites) {
  if (wanted.length && !wanted.includes(suite.name)) continue;
  const problem = suite.needs();
  if (problem) {
    console.log(`\n!!!!! SKIPPED ${suite.name} suites: ${problem}`);
    lines.push(`${suite.name.padEnd(10)} SKIPPED: ${problem}`);
    continue;
  }
  console.log(`\n===== ${suite.name}: ${suite.what}`);
  const report = join(artifacts, `vitest-${suite.name}.json`);
  rmSync(report, { force: true });
  let cmd = [
    'npx',
    'vitest',
    'run',
    '--project',
    suite.name,
    '--passWithNoTests',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ];
  if (suite.wrap) cmd = suite.wrap(cmd);
  const started = Date.now();
  const run = spawnSync(cmd[0], cmd.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env, ...suite.env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const counts = readCounts(report);
  if (!counts) {
    broken = true;
    lines.push(`${suite.name.padEnd(10)} CRASHED (exit ${run.status ?? run.signal}) after ${seconds} s, no report`);
    continue;
  }
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  if (run.status !== 0 && counts.failed === 0) broken = true; // e.g. a failing file with no test in it
  lines.push(
    `${suite.name.padEnd(10)} ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped in ${seconds} s` +
      (run.status !== 0 ? ` (exit ${run.status})` : ''),
  );
}

console.log('\n===== summary');
for (const line of lines) console.log(line);
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || broken ? 1 : 0);

function readCounts(file) {
  if (!existsSync(file)) return null;
  try {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const failedSuites = (json.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0).length;
    return {
      passed: json.numPassedTests ?? 0,
      failed: (json.numFailedTests ?? 0) + failedSuites,
      skipped: (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0),
    };
  } catch {
    return null;
  }
}
