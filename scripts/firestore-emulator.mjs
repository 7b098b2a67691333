// Can the Firestore emulator run on this machine? It needs Java 21+ and its jar, which
// firebase-tools downloads on first use. Returns null when it can, else the reason in words.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function firestoreEmulatorProblem() {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) return 'no Java runtime (the Firestore emulator needs Java 21 or newer)';
  const match = /version "(\d+)/.exec(`${java.stderr}${java.stdout}`);
  const major = match ? Number(match[1]) : 0;
  if (major < 21) return `Java ${major || 'unknown'} found, the Firestore emulator needs Java 21 or newer`;
  if (!hasJar()) {
    const setup = spawnSync('npx', ['firebase', 'setup:emulators:firestore'], { encoding: 'utf8', timeout: 120_000 });
    if (setup.status !== 0 || !hasJar()) return 'the Firestore emulator jar is not cached and could not be downloaded';
  }
  return null;
}

function hasJar() {
  const dir = join(homedir(), '.cache', 'firebase', 'emulators');
  return existsSync(dir) && readdirSync(dir).some((name) => name.startsWith('cloud-firestore-emulator') && name.endsWith('.jar'));
}
