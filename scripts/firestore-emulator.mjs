// Can the Firestore emulator run on this machine? It needs Java 21+ and its jar.
// Returns { problem: null, env } when it can (env: what `firebase emulators:exec` needs on top
// of process.env), else { problem: '<the reason in words>' }.
//
// Besides the PATH java and firebase-tools' cache (~/.cache/firebase/emulators), it accepts a
// JDK >= 21 under /usr/lib/jvm and the emulator jar of the Google Cloud CLI package
// (google-cloud-cli-firestore-emulator). That jar has no Main-Class, and firebase-tools runs
// `java -jar <FIRESTORE_EMULATOR_BINARY_PATH>`, so a two-line manifest jar points at it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const GCLOUD_JAR = '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar';
const MAIN_CLASS = 'com.google.cloud.datastore.emulator.firestore.CloudFirestore';

export function firestoreEmulatorSetup() {
  const java = findJava();
  if (!java) return { problem: 'no Java 21 or newer (the Firestore emulator needs it; found only older or none)' };
  const env = java.bin ? { PATH: `${java.bin}:${process.env.PATH}` } : {};
  if (hasCachedJar()) return { problem: null, env };
  if (existsSync(GCLOUD_JAR)) {
    const shim = shimJar(java);
    if (shim) return { problem: null, env: { ...env, FIRESTORE_EMULATOR_BINARY_PATH: shim } };
  }
  const setup = spawnSync('npx', ['firebase', 'setup:emulators:firestore'], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  if (setup.status === 0 && hasCachedJar()) return { problem: null, env };
  return { problem: 'the Firestore emulator jar is not cached, not installed with the Google Cloud CLI, and could not be downloaded' };
}

function javaMajor(javaPath) {
  const run = spawnSync(javaPath, ['-version'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) return 0;
  const match = /version "(\d+)/.exec(`${run.stderr}${run.stdout}`);
  return match ? Number(match[1]) : 0;
}

/** The PATH java if it is 21+, else the newest 21+ JDK/JRE under /usr/lib/jvm. */
function findJava() {
  if (javaMajor('java') >= 21) return { bin: null, jar: 'jar' };
  const root = '/usr/lib/jvm';
  if (!existsSync(root)) return null;
  const found = readdirSync(root)
    .map((name) => join(root, name, 'bin'))
    .filter((bin) => existsSync(join(bin, 'java')))
    .map((bin) => ({ bin, jar: join(bin, 'jar'), major: javaMajor(join(bin, 'java')) }))
    .filter((j) => j.major >= 21)
    .sort((a, b) => b.major - a.major);
  return found[0] ?? null;
}

function hasCachedJar() {
  const dir = join(homedir(), '.cache', 'firebase', 'emulators');
  return existsSync(dir) && readdirSync(dir).some((name) => name.startsWith('cloud-firestore-emulator') && name.endsWith('.jar'));
}

function shimJar(java) {
  const dir = join(tmpdir(), 'firecall-firestore-emulator');
  mkdirSync(dir, { recursive: true });
  const manifest = join(dir, 'manifest.txt');
  writeFileSync(manifest, `Manifest-Version: 1.0\nMain-Class: ${MAIN_CLASS}\nClass-Path: file:${GCLOUD_JAR}\n`);
  const shim = join(dir, 'firestore-emulator.jar');
  const made = spawnSync(java.jar, ['cfm', shim, manifest], { encoding: 'utf8' });
  return made.status === 0 && existsSync(shim) ? shim : null;
}
