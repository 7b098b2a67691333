// What Firebase Hosting would serve as the demo: it must find its project's web config and carry no
// emulator wiring. Without a config baked in at build time the page reads the one Hosting serves.
import { emulatorTraces } from './emulator-traces.mjs';

export const HOSTING_INIT_URL = '/__/firebase/init.json';

/**
 * `files`: { [path]: text } of the build; `builtInConfig`: VITE_FIREBASE_CONFIG as the build saw it.
 * Returns `problems` (one line each, empty when the bundle can be deployed) and where the page gets its config.
 */
export function judgeHostingBundle(files, { builtInConfig } = {}) {
  const problems = [];
  if (!('index.html' in files)) problems.push('no index.html at the root of the build: the Hosting URL would answer 404');
  const traces = emulatorTraces(files);
  problems.push(...traces.slice(0, 10));
  if (traces.length > 10) problems.push(`… and ${traces.length - 10} more emulator traces`);

  const code = Object.values(files).join('\n');
  let configSource = null;
  if (builtInConfig) {
    const projectId = projectIdOf(builtInConfig);
    if (!projectId) problems.push('VITE_FIREBASE_CONFIG is set but is not a web config with a projectId: unset it or fix it');
    else if (!code.includes(projectId)) problems.push(`VITE_FIREBASE_CONFIG is set but project ${projectId} is not in the bundle`);
    else configSource = `the web config of ${projectId} built in (VITE_FIREBASE_CONFIG)`;
  } else if (code.includes(HOSTING_INIT_URL)) configSource = `its web config from ${HOSTING_INIT_URL} when served`;
  else problems.push(`the bundle neither reads ${HOSTING_INIT_URL} nor has a web config built in: the page would find no project`);
  return { problems, configSource };
}

function projectIdOf(json) {
  try {
    const id = JSON.parse(json)?.projectId;
    return typeof id === 'string' && id ? id : null;
  } catch {
    return null;
  }
}
