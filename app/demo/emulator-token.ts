/**
 * A sign-in token for a fixed uid that only the Auth emulator accepts: it takes unsigned
 * custom tokens, so demo users and test users keep the same uids run after run.
 */
export function emulatorToken(uid: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const encode = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
    aud: 'https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit',
    iat: nowSeconds,
    exp: nowSeconds + 3600,
    iss: 'firebase-auth-emulator@example.com',
    sub: 'firebase-auth-emulator@example.com',
    uid,
  })}.`;
}
