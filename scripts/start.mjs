#!/usr/bin/env node
// `npm start`: the product locally. A local coturn on loopback, the Auth + Functions emulators
// (their `iceServers` callable signs with the same fresh secret as coturn), and the Vite dev
// server of the demo CRM page. Prints every URL; Ctrl-C stops everything it started.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulators } from './emulators.mjs';
import { firestoreEmulatorSetup } from './firestore-emulator.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const stops = [];
let stopping = false;

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping...');
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (error) {
      console.error(`while stopping: ${error.message}`);
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

try {
  // One secret per run, shared by coturn and the function; never printed.
  const turnSecret = randomBytes(24).toString('base64url');
  const urls = [];

  const turnTransports = startCoturn(turnSecret);
  if (turnTransports) urls.push(['TURN (coturn on loopback)', 'turn:127.0.0.1:3478 (udp, tcp)']);

  const firestore = firestoreEmulatorSetup();
  const firestoreProblem = firestore.problem;
  console.log(
    firestoreProblem
      ? `Firestore emulator not started: ${firestoreProblem}. The demo uses same-browser signaling (BroadcastChannel between tabs).`
      : 'Firestore emulator available.',
  );

  console.log('starting the Auth and Functions emulators...');
  const emulators = await startEmulators({
    turnSecret,
    turnHosts: ['127.0.0.1'],
    transports: turnTransports ?? ['udp:3478'],
    withFirestore: !firestoreProblem,
    env: firestore.env ?? {},
    log: (line) => process.env.FIRECALL_VERBOSE && console.log(line),
  });
  stops.push(() => emulators.stop());
  urls.push(['Auth emulator', emulators.authUrl], ['iceServers callable', emulators.iceServersUrl]);
  if (emulators.firestoreUrl) urls.push(['Firestore emulator', emulators.firestoreUrl]);

  const demoUrl = await startDemo();
  urls.push(['Demo CRM page', demoUrl]);

  console.log(`\nfirecall is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s):`);
  for (const [name, url] of urls) console.log(`  ${name.padEnd(28)} ${url}`);
  console.log('\nOpen the demo page in two tabs, sign in as a different demo user in each, and call.\nCtrl-C stops everything.');
} catch (error) {
  console.error(`npm start failed: ${error.message}`);
  await stopAll(1);
}

/** Starts coturn with the local config; returns the transports it serves, or null without coturn. */
function startCoturn(secret) {
  if (!existsSync('/usr/bin/turnserver')) {
    console.log('coturn is not installed (apt-get install coturn): calls will only use direct paths.');
    return null;
  }
  const script = join(root, 'turn', 'start.sh');
  const env = { ...process.env, FIRECALL_TURN_SECRET: secret };
  const run = spawnSync('bash', [script, '--no-tls', '--listen-ip', '127.0.0.1', '--port', '3478'], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`coturn did not start:\n${run.stderr || run.stdout}`);
  stops.push(() => spawnSync('bash', [script, 'stop', '--port', '3478'], { stdio: 'inherit' }));
  return ['udp:3478', 'tcp:3478'];
}

/** Starts the Vite dev server of the demo page in its own process group and waits for its URL. */
function startDemo() {
  return new Promise((resolve, reject) => {
    const vite = spawn('npm', ['run', 'dev', '-w', 'app'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    stops.push(
      () =>
        new Promise((done) => {
          if (vite.exitCode !== null) return done();
          vite.once('exit', done);
          try {
            process.kill(-vite.pid, 'SIGTERM');
          } catch {
            done();
          }
        }),
    );
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the demo dev server did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk;
      if (/ready in/i.test(output)) {
        clearTimeout(timer);
        resolve('http://127.0.0.1:5173/demo/');
      }
    };
    vite.stdout.on('data', onData);
    vite.stderr.on('data', onData);
    vite.once('exit', (code) => {
      clearTimeout(timer);
      if (!stopping) reject(new Error(`the demo dev server exited (${code}):\n${output}`));
    });
  });
}
