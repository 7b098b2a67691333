/**
 * Auth + Functions (and, where it can run, Firestore) emulator harness, shared by `npm start`,
 * the emulator tests, the TURN tests and the network lab. Its API and what each option does are
 * typed and documented in emulators.d.mts beside this file.
 *
 * Each run gets its own copy of the functions package under .firecall/emulators/<run>/ with its
 * own functions/.env.local (params) and functions/.secret.local (TURN_SECRET), the only files
 * besides .env and .env.<project> that the Functions emulator reads them from, so two runs never
 * share a secret or a rate. Ports are firebase.json's when free, otherwise ones the OS gives, so
 * `npm start`, tests and the lab can run side by side; the returned URLs are the ones to use.
 * Most of the start-up time is the firebase CLI's own CPU, so it grows with the machine's load.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer, connect } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const functionsDir = join(root, 'functions');
const runsDir = join(root, '.firecall', 'emulators');
const firebaseBin = join(root, 'node_modules', 'firebase-tools', 'lib', 'bin', 'firebase.js');
const tscBin = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const DEFAULT_TRANSPORTS = ['udp:3478', 'tcp:3478', 'tls:443'];
const REGION = 'us-central1';
const HOST = '127.0.0.1';
const ATTEMPTS = 3; // a port picked as free can be taken by a concurrent run before firebase binds it

/** Starts the Auth and Functions emulators configured for `iceServers`; see the header. */
export async function startEmulators({
  turnSecret,
  turnHosts,
  stunUrls = [],
  transports = DEFAULT_TRANSPORTS,
  ttlSeconds = 3600,
  ratePerMinute = 30,
  projectId = 'demo-firecall',
  log = () => {},
  build = true,
  readyTimeoutMs = 240_000,
  withFirestore = false,
  env = {},
  only = withFirestore ? ['auth', 'functions', 'firestore'] : ['auth', 'functions'],
  ports = {},
  preferConfiguredPorts = true,
} = {}) {
  const secrets = [turnSecret].flat().filter(Boolean);
  if (secrets.length === 0) throw new Error('startEmulators: turnSecret is required (the coturn static-auth-secret).');
  if (!Array.isArray(turnHosts) || turnHosts.length === 0) {
    throw new Error('startEmulators: turnHosts must list at least one TURN host, e.g. ["127.0.0.1"].');
  }
  if (!only.includes('auth') || !only.includes('functions')) {
    throw new Error('startEmulators: `only` must include auth and functions (iceServers needs both); add e.g. firestore where it can run.');
  }

  const started = Date.now();
  removeAbandonedRuns();
  const runDir = join(runsDir, `${projectId}-${process.pid}-${++runCount}`);
  try {
    prepareRunDir(runDir, { build, secrets, turnHosts, stunUrls, transports, ttlSeconds, ratePerMinute });
    for (let attempt = 1; ; attempt++) {
      const chosen = await choosePorts(only, ports, attempt > 1 || !preferConfiguredPorts);
      writeFirebaseJson(runDir, only, chosen);
      try {
        const running = await launch({ runDir, only, ports: chosen, projectId, log, readyTimeoutMs, env });
        return { ...running, projectId, region: REGION, startupMs: Date.now() - started };
      } catch (error) {
        if (!(error instanceof PortTakenError) || attempt >= ATTEMPTS || Object.keys(ports).length > 0) throw error;
        log(`startEmulators: a port was taken meanwhile (attempt ${attempt}); retrying on other free ports`);
      }
    }
  } catch (error) {
    rmSync(runDir, { recursive: true, force: true });
    throw error;
  }
}
let runCount = 0;

class PortTakenError extends Error {}

async function launch({ runDir, only, ports, projectId, log, readyTimeoutMs, env }) {
  const output = [];
  // A larger young generation cuts the CLI's start CPU by about a quarter (measured 27 s -> 20 s):
  // the Auth emulator's schema compilation is GC-heavy.
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=64', firebaseBin, 'emulators:start', '--only', only.join(','), '--project', projectId],
    {
      cwd: runDir,
      detached: true, // own process group: stop() reaches the functions workers too
      stdio: ['ignore', 'pipe', 'pipe'],
      // Discovery loads functions/lib with a 10 s limit, which a loaded 2-core machine exceeds.
      env: { FUNCTIONS_DISCOVERY_TIMEOUT: '120', ...process.env, ...env, FORCE_COLOR: '0', NO_COLOR: '1' },
    },
  );
  let exited = null;
  const exitPromise = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        output.push(line);
        log(line);
      }
    });
  }
  // Never leave emulators behind if the caller dies without calling stop().
  const killOnExit = () => killGroup(child.pid, 'SIGKILL');
  process.once('exit', killOnExit);

  let stopped = null;
  const stop = () => {
    stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (!exited) {
        killGroup(child.pid, 'SIGINT'); // lets firebase shut down cleanly
        const graceful = await Promise.race([exitPromise, delay(10_000).then(() => null)]);
        if (!graceful) killGroup(child.pid, 'SIGKILL');
        await exitPromise;
      }
      killGroup(child.pid, 'SIGKILL'); // stragglers (functions workers) in the group
    })();
    return stopped;
  };

  const authUrl = `http://${HOST}:${ports.auth}`;
  const functionsUrl = `http://${HOST}:${ports.functions}`;
  const firestoreUrl = only.includes('firestore') ? `http://${HOST}:${ports.firestore}` : null;
  const iceServersUrl = `${functionsUrl}/${projectId}/${REGION}/iceServers`;
  try {
    await waitUntil(
      readyTimeoutMs,
      () => exited,
      output,
      async () => {
        if (!(await answers(`${authUrl}/emulator/v1/projects/${projectId}/config`))) return false;
        if (firestoreUrl && !(await answers(firestoreUrl))) return false;
        // An unauthenticated call reaches our handler only once the function is loaded.
        const response = await fetchOrNull(iceServersUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ data: null }),
        });
        if (!response) return false;
        const body = await response.text();
        return response.status === 401 && body.includes('UNAUTHENTICATED');
      },
    );
  } catch (error) {
    // The CLI's own log says why it gave up ("An unexpected error has occurred" alone says nothing).
    const debugLog = readTail(join(runDir, 'firebase-debug.log'), 40);
    const exitedByItself = exited !== null;
    await stop();
    if (debugLog) error.message += `\n--- firebase-debug.log (last lines) ---\n${debugLog}`;
    // A port that was free when chosen can be bound by a concurrent run during the CLI's slow start.
    if (exitedByItself && /port taken|EADDRINUSE/i.test(error.message)) throw new PortTakenError(error.message);
    throw error;
  }
  const hub = /Emulator Hub host: (\S+) port: (\d+)/.exec(output.join('\n'));
  return {
    authUrl,
    functionsUrl,
    firestoreUrl,
    hubUrl: hub ? `http://${hub[1]}:${hub[2]}` : null,
    iceServersUrl,
    output: () => output.join('\n'),
    async stop() {
      await stop();
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/** A firebase@12 client (Auth + Functions) in Node pointed at the emulators; see the header. */
export async function createIceServersClient({ authUrl, functionsUrl, projectId = 'demo-firecall', region = REGION }) {
  const { initializeApp, deleteApp } = await import('firebase/app');
  const authSdk = await import('firebase/auth');
  const { getFunctions, connectFunctionsEmulator, httpsCallable } = await import('firebase/functions');
  const app = initializeApp(
    { apiKey: 'demo-api-key', projectId, authDomain: `${projectId}.firebaseapp.com` },
    `iceServers-client-${++clientCount}`,
  );
  const auth = authSdk.initializeAuth(app, { persistence: authSdk.inMemoryPersistence });
  authSdk.connectAuthEmulator(auth, authUrl, { disableWarnings: true });
  const functions = getFunctions(app, region);
  const { hostname, port } = new URL(functionsUrl);
  connectFunctionsEmulator(functions, hostname, Number(port));
  const iceServers = httpsCallable(functions, 'iceServers');
  return {
    auth,
    async signUp(email, password) {
      return (await authSdk.createUserWithEmailAndPassword(auth, email, password)).user;
    },
    async signIn(email, password) {
      return (await authSdk.signInWithEmailAndPassword(auth, email, password)).user;
    },
    async call(data) {
      return (await iceServers(data)).data;
    },
    async close() {
      await deleteApp(app);
    },
  };
}
let clientCount = 0;

/** Signs in (creating the user on first use) and fetches ICE servers once; see the header. */
export async function signInAndFetchIceServers({ email, password, authUrl, functionsUrl, projectId = 'demo-firecall', data }) {
  const client = await createIceServersClient({ authUrl, functionsUrl, projectId });
  try {
    let user;
    try {
      user = await client.signUp(email, password);
    } catch (error) {
      if (error?.code !== 'auth/email-already-in-use') throw error;
      user = await client.signIn(email, password);
    }
    const result = await client.call(data);
    return { uid: user.uid, idToken: await user.getIdToken(), ...result };
  } finally {
    await client.close();
  }
}

/**
 * The run directory: a firebase.json of its own and a copy of the functions package, compiled,
 * with the params in functions/.env.local and the secret in functions/.secret.local. Every param
 * is written, defaults included: the CLI refuses (or prompts for) params missing from these files.
 */
function prepareRunDir(runDir, { build, secrets, turnHosts, stunUrls, transports, ttlSeconds, ratePerMinute }) {
  const runFunctions = join(runDir, 'functions');
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runFunctions, { recursive: true });
  copyFileSync(join(functionsDir, 'package.json'), join(runFunctions, 'package.json'));
  if (build) {
    cpSync(compiledFunctions(), join(runFunctions, 'lib'), { recursive: true });
  } else {
    if (!existsSync(join(functionsDir, 'lib', 'index.js')))
      throw new Error('startEmulators: build is false but functions/lib is missing; run `npm run build -w functions`.');
    cpSync(join(functionsDir, 'lib'), join(runFunctions, 'lib'), { recursive: true });
  }
  const secretFile = join(runFunctions, '.secret.local');
  writeFileSync(secretFile, envFile({ TURN_SECRET: secrets.join(',') }), { mode: 0o600 });
  chmodSync(secretFile, 0o600);
  writeFileSync(
    join(runFunctions, '.env.local'),
    envFile({
      // Lists as JSON: the CLI splits plain values on commas, and reads JSON when it sees '['.
      TURN_HOSTS: JSON.stringify(turnHosts),
      STUN_URLS: JSON.stringify(stunUrls),
      TURN_TRANSPORTS: JSON.stringify(transports),
      TURN_TTL_SECONDS: String(ttlSeconds),
      ICE_SERVERS_PER_MINUTE: String(ratePerMinute),
    }),
  );
}

/**
 * functions/src compiled once per content: suites that each start emulators (emulator, turn, lab)
 * share one tsc run. Keyed by a hash of the sources and tsconfigs; built aside, then renamed in.
 */
function compiledFunctions() {
  const hash = createHash('sha256');
  const inputs = [join(root, 'tsconfig.json'), join(functionsDir, 'tsconfig.json'), join(functionsDir, 'package.json')];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) inputs.push(path);
    }
  };
  walk(join(functionsDir, 'src'));
  for (const file of inputs) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  const buildsDir = join(root, '.firecall', 'functions-build');
  const out = join(buildsDir, hash.digest('hex').slice(0, 16));
  if (existsSync(join(out, 'index.js'))) return out;
  const scratch = `${out}.tmp-${process.pid}-${Date.now()}`;
  const result = spawnSync(process.execPath, [tscBin, '-p', join(functionsDir, 'tsconfig.json'), '--outDir', scratch], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    rmSync(scratch, { recursive: true, force: true });
    throw new Error(`startEmulators: compiling functions/ failed:\n${result.stdout}${result.stderr}`);
  }
  try {
    renameSync(scratch, out);
  } catch {
    rmSync(scratch, { recursive: true, force: true }); // a concurrent run renamed its build in first
  }
  // Older builds are kept a while for runs that are copying them right now, then dropped.
  for (const name of readdirSync(buildsDir)) {
    const path = join(buildsDir, name);
    if (path !== out && Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, { recursive: true, force: true });
  }
  return out;
}

function writeFirebaseJson(runDir, only, ports) {
  const emulators = { ui: { enabled: false }, singleProjectMode: true };
  for (const name of only) emulators[name] = { host: HOST, port: ports[name] };
  const config = { functions: [{ source: 'functions', codebase: 'default' }], emulators };
  if (only.includes('firestore')) {
    // The CLI refuses files outside its project directory; links keep rules edits live.
    for (const file of ['firestore.rules', 'firestore.indexes.json']) {
      rmSync(join(runDir, file), { force: true });
      symlinkSync(join(root, file), join(runDir, file));
    }
    config.firestore = { rules: 'firestore.rules', indexes: 'firestore.indexes.json' };
  }
  writeFileSync(join(runDir, 'firebase.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** Run directories whose owning process is gone (killed before stop()) are deleted. */
function removeAbandonedRuns() {
  if (!existsSync(runsDir)) return;
  for (const name of readdirSync(runsDir)) {
    const pid = Number(/-(\d+)-\d+$/.exec(name)?.[1]);
    if (pid && !isAlive(pid)) rmSync(join(runsDir, name), { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** firebase.json's ports when free (first attempt), else free ports from the OS; `forced` wins. */
async function choosePorts(only, forced, avoidPreferred) {
  const preferred = JSON.parse(readFileSync(join(root, 'firebase.json'), 'utf8')).emulators ?? {};
  const defaults = { auth: 9099, functions: 5001, firestore: 8080 };
  const chosen = {};
  for (const name of only) {
    if (forced[name]) chosen[name] = forced[name];
    else {
      const port = preferred[name]?.port ?? defaults[name];
      chosen[name] = !avoidPreferred && !(await isListening(HOST, port)) ? port : await freePort();
    }
  }
  return chosen;
}

function envFile(values) {
  const header = '# Written by scripts/emulators.mjs for the Functions emulator; removed when it stops.\n';
  const escape = (value) =>
    value.replace(/[\n\r\t\v\\'"]/g, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' })[c] ?? `\\${c}`);
  return (
    header +
    Object.entries(values)
      .map(([key, value]) => `${key}="${escape(value)}"\n`)
      .join('')
  );
}

async function waitUntil(timeoutMs, hasExited, output, isReady) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const failed = output.find((line) => line.includes('Failed to load function definition'));
    if (failed) throw new Error(`startEmulators: the Functions emulator could not load functions/lib: ${failed.trim()}`);
    const exit = hasExited();
    if (exit) {
      throw new Error(
        `startEmulators: firebase exited (${exit.code ?? exit.signal}) before the emulators were ready:\n${output.slice(-30).join('\n')}`,
      );
    }
    if (await isReady()) return;
    await delay(250);
  }
  throw new Error(`startEmulators: emulators not ready after ${timeoutMs / 1000} s:\n${output.slice(-30).join('\n')}`);
}

function readTail(file, lines) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function isListening(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function answers(url) {
  const response = await fetchOrNull(url);
  return response !== null && response.ok;
}

async function fetchOrNull(url, init = {}) {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  } catch {
    return null;
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
