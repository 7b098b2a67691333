// Loads the built functions the way the Functions runtime does (require of package.json's
// "main") and prints, as JSON on stdout, the exported functions and the params they declare.
// Run in its own process with the functions directory as its only argument.
const { join } = require('node:path');

const dir = process.argv[2];
const main = require(join(dir, 'package.json')).main ?? 'index.js';
const exported = require(join(dir, main));
// Resolved from the functions directory: the params registry of the SDK the functions use.
const { declaredParams } = require(require.resolve('firebase-functions/params', { paths: [dir] }));

const functions = Object.entries(exported)
  .filter(([, value]) => value && typeof value === 'function' && value.__endpoint)
  .map(([name, fn]) => ({
    name,
    trigger: Object.keys(fn.__endpoint).find((key) => key.endsWith('Trigger')) ?? 'unknown',
    secrets: (fn.__endpoint.secretEnvironmentVariables ?? []).map((secret) => secret.key),
  }));
const params = declaredParams.map((param) => ({ name: param.name, type: param.toSpec().type }));
process.stdout.write(JSON.stringify({ functions, params }));
