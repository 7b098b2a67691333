// A site built for hosting must talk to the real Firebase project. These are the marks an
// emulator wiring leaves in a bundle. The Firebase SDK itself contains the word "emulator"
// (its connect*Emulator code and error texts), so the bare word is not one of them.
const TRACES = [
  { what: 'an emulator URL', pattern: /\bhttps?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):(?:9099|5001|8080)\b/g },
  {
    what: 'an emulator host and port',
    pattern:
      /["'`](?:127\.0\.0\.1|localhost)(?::(?:9099|5001|8080))?["'`]\s*,\s*(?:9099|5001|8080)\b|[:=(,]\s*["'`](?:127\.0\.0\.1|localhost):(?:9099|5001|8080)["'`]/g,
  },
  { what: 'an emulator port wired by name', pattern: /["'`](?:auth|functions|firestore)["'`]\s*,\s*(?:9099|5001|8080)\b/g },
  { what: 'an Auth emulator token', pattern: /firebase-auth-emulator/g },
  { what: 'an emulator-only project (demo-*)', pattern: /projectId\s*:\s*["'`]demo-[\w-]*["'`]/g },
];

/** `files`: { [path]: text }. Returns one line per trace found: path, what it is, and the text around it. */
export function emulatorTraces(files) {
  const found = [];
  for (const [path, text] of Object.entries(files)) {
    for (const { what, pattern } of TRACES) {
      for (const match of text.matchAll(pattern)) {
        const around = text.slice(Math.max(0, match.index - 30), match.index + match[0].length + 30).replace(/\s+/g, ' ');
        found.push(`${path}: ${what}: …${around}…`);
      }
    }
  }
  return found;
}
