// Is the Cloud Functions runtime this project declares still accepted by `firebase deploy`?
// Dates are Google's schedule for Cloud Run functions (the runtime of 2nd-gen Cloud Functions for
// Firebase): after its decommission date a runtime can no longer create or update functions.
// Review the table when Google publishes a new runtime or moves a date.

/** Supported Node.js runtimes, as of December 2026. */
export const NODE_RUNTIMES = {
  nodejs18: { deprecated: '2025-04-30', decommissioned: '2025-10-30' },
  nodejs20: { deprecated: '2026-04-30', decommissioned: '2026-10-30' },
  nodejs22: { deprecated: '2027-04-30', decommissioned: '2027-10-31' },
  nodejs24: { deprecated: '2028-04-30', decommissioned: '2028-10-31' },
};

/** How long before its decommission date a runtime gets a warning. */
const WARN_MONTHS = 6;

/**
 * The runtime `firebase deploy` would use: firebase.json's `runtime` wins over the functions
 * package's `engines.node`. Both present and different is a problem of its own (the emulator and
 * a teammate's reading of the files disagree with the deploy).
 * Returns { runtime, problem } (runtime like 'nodejs24', or null when nothing is declared).
 */
export function declaredRuntime({ firebaseJsonRuntime, enginesNode }) {
  const fromEngines = enginesNode ? `nodejs${String(enginesNode).trim()}` : null;
  if (firebaseJsonRuntime && fromEngines && firebaseJsonRuntime !== fromEngines) {
    return {
      runtime: firebaseJsonRuntime,
      problem: `firebase.json says runtime "${firebaseJsonRuntime}" but functions/package.json engines.node says "${enginesNode}"; make them agree`,
    };
  }
  const runtime = firebaseJsonRuntime ?? fromEngines;
  if (!runtime) return { runtime: null, problem: 'no runtime declared: set engines.node in functions/package.json (e.g. "24")' };
  return { runtime, problem: null };
}

/**
 * Judges `runtime` on `today` (a 'YYYY-MM-DD' string or a Date, compared in UTC).
 * Returns { level: 'ok' | 'warn' | 'fail', message }.
 */
export function judgeRuntime(runtime, today, table = NODE_RUNTIMES) {
  const day = typeof today === 'string' ? today : today.toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`judgeRuntime: today must be YYYY-MM-DD, got "${today}"`);
  const newest = Object.keys(table).sort((a, b) => Number(b.slice(6)) - Number(a.slice(6)))[0];
  const dates = table[runtime];
  if (!dates) {
    return {
      level: 'fail',
      message: `runtime "${runtime}" is not in the table of supported Cloud Functions runtimes (${Object.keys(table).join(', ')}); use ${newest}`,
    };
  }
  const end = dates.decommissioned;
  if (day >= end) {
    return {
      level: 'fail',
      message:
        `runtime ${runtime} was decommissioned on ${end} (${daysBetween(end, day)} days ago): ` +
        `Cloud Functions no longer creates or updates functions on it, so \`firebase deploy --only functions\` fails. ` +
        `Declare ${newest}: engines.node "${newest.slice(6)}" in functions/package.json and "runtime": "${newest}" in firebase.json`,
    };
  }
  if (day >= addMonths(end, -WARN_MONTHS)) {
    return {
      level: 'warn',
      message: `runtime ${runtime} is decommissioned on ${end}, in ${daysBetween(day, end)} days; after that deploys fail. Move to ${newest} before then`,
    };
  }
  return { level: 'ok', message: `runtime ${runtime} is supported until ${end}` };
}

function daysBetween(from, to) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Calendar months, clamped to the month's last day (six months before Oct 31 is Apr 30). */
function addMonths(day, months) {
  const [year, month, date] = day.split('-').map(Number);
  const first = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(date, lastDay));
  return first.toISOString().slice(0, 10);
}
