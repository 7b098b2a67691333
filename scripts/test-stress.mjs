#!/usr/bin/env node
// `npm run test:stress`: the unit and browser suites (or the suites named) while stress-ng keeps
// both cores busy, as CI's machine may be. A test that depends on the machine's speed fails here.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePackages } from './system-packages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const suites = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'browser'];

const problem = ensurePackages(['stress-ng']);
if (problem) {
  console.error(`test:stress cannot load the machine: ${problem}`);
  process.exit(2);
}

// Bounded by its own timeout too, so a killed parent never leaves it spinning.
const load = spawn('stress-ng', ['--cpu', '2', '--timeout', '3600s', '--quiet'], { stdio: 'ignore' });
const stopLoad = () => {
  if (load.exitCode === null) load.kill('SIGTERM');
};
process.on('exit', stopLoad);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

console.log(`test:stress: stress-ng --cpu 2 (pid ${load.pid}) while running ${suites.join(', ')}`);
const run = spawnSync(process.execPath, [join(root, 'scripts/test.mjs'), ...suites], { cwd: root, stdio: 'inherit' });
stopLoad();
process.exit(run.status ?? 1);
