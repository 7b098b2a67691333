/**
 * Which Firebase the demo page talks to, and where the hosted page finds its project's web config.
 * The emulator wiring lives in ./emulators, which only the dev server loads: a hosting build has none of it.
 */
import type { FirebaseOptions } from 'firebase/app';

/**
 *   local      no Firebase: local sign-in, signaling between tabs (`?auth=local`)
 *   emulators  Auth, Functions and Firestore emulators: the dev server (`npm start`, the tests)
 *   project    the real project the page is deployed to (`firebase deploy --only hosting`)
 */
export type Backend = 'local' | 'emulators' | 'project';

export function chooseBackend(options: { authParam: string | null; devServer: boolean }): Backend {
  if (options.authParam === 'local') return 'local';
  return options.devServer ? 'emulators' : 'project';
}

/** Firebase Hosting serves the web config of the project it belongs to at this reserved URL. */
export const HOSTING_INIT_URL = '/__/firebase/init.json';

const REQUIRED = ['apiKey', 'projectId', 'appId'] as const;

/** Checks a web config (as JSON text) and names what is wrong with it; `source` says where it came from. */
export function parseWebConfig(text: string, source: string): FirebaseOptions {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not JSON: ${text.slice(0, 60)}`);
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) throw new Error(`${source} is not a Firebase web config object.`);
  const missing = REQUIRED.filter((key) => typeof (config as Record<string, unknown>)[key] !== 'string');
  if (missing.length)
    throw new Error(`${source} has no ${missing.join(', ')}: register a web app in the project (npx firebase apps:create web).`);
  return config as FirebaseOptions;
}

/**
 * The project's web config: the one baked in at build time (`VITE_FIREBASE_CONFIG`) when there is one,
 * else the one Firebase Hosting serves next to the page, so `firebase deploy` needs no configuration.
 */
export async function loadWebConfig(options: { builtIn?: string; fetch: typeof fetch }): Promise<FirebaseOptions> {
  if (options.builtIn) return parseWebConfig(options.builtIn, 'VITE_FIREBASE_CONFIG');
  let response: Response;
  try {
    response = await options.fetch(HOSTING_INIT_URL);
  } catch (error) {
    throw new Error(`${HOSTING_INIT_URL} could not be fetched (${(error as Error).message}).`);
  }
  if (!response.ok)
    throw new Error(
      `${HOSTING_INIT_URL} answered ${response.status}: this page is not served by Firebase Hosting; build it with VITE_FIREBASE_CONFIG set.`,
    );
  return parseWebConfig(await response.text(), HOSTING_INIT_URL);
}
