import { describe, expect, it } from 'vitest';
import { parseTurnSecrets, turnCredentials, verifyTurnCredentials } from './credentials';

// Vectors computed independently with OpenSSL:
//   printf '1700000000:alice' | openssl dgst -sha1 -hmac 'north-wind-0123456789' -binary | base64
const SECRET = 'north-wind-0123456789';

describe('turnCredentials', () => {
  it('matches an OpenSSL-computed HMAC-SHA1 vector in the TURN REST format', () => {
    expect(turnCredentials(SECRET, 'alice', 1_700_000_000)).toEqual({
      username: '1700000000:alice',
      credential: '7ptuE9fffwJIOx+OdO4tvVsLYlg=',
    });
  });

  it('keeps uids containing colons intact after the expiry', () => {
    expect(turnCredentials(SECRET, 'user:with:colons', 1_700_003_600)).toEqual({
      username: '1700003600:user:with:colons',
      credential: '/DaphQbpLGROtlbBhS6YDiZsq4w=',
    });
  });

  it('refuses to sign without a secret, a uid or a sane expiry', () => {
    expect(() => turnCredentials('', 'alice', 1_700_000_000)).toThrow(/secret is empty/);
    expect(() => turnCredentials(SECRET, '', 1_700_000_000)).toThrow(/uid is empty/);
    expect(() => turnCredentials(SECRET, 'alice', 1_700_000_000.5)).toThrow(/positive integer/);
    expect(() => turnCredentials(SECRET, 'alice', -1)).toThrow(/positive integer/);
  });
});

describe('verifyTurnCredentials (what coturn decides)', () => {
  const now = 1_700_000_000_000;
  const { username, credential } = turnCredentials(SECRET, 'alice', 1_700_000_060);

  it('accepts fresh credentials and refuses them once expired', () => {
    expect(verifyTurnCredentials([SECRET], username, credential, now)).toBe('valid');
    expect(verifyTurnCredentials([SECRET], username, credential, 1_700_000_060_000)).toBe('expired');
  });

  it('refuses a forged credential, a changed username and a malformed username', () => {
    expect(
      verifyTurnCredentials([SECRET], username, turnCredentials('another-secret-0123456', 'alice', 1_700_000_060).credential, now),
    ).toBe('forged');
    expect(verifyTurnCredentials([SECRET], '1700000060:mallory', credential, now)).toBe('forged');
    expect(verifyTurnCredentials([SECRET], '9999999999:alice', credential, now)).toBe('forged');
    expect(verifyTurnCredentials([SECRET], 'alice', credential, now)).toBe('malformed');
  });

  it('during rotation accepts credentials signed by any listed secret', () => {
    const oldSecret = 'old-secret-0123456789';
    const signedWithOld = turnCredentials(oldSecret, 'alice', 1_700_000_060);
    expect(verifyTurnCredentials([SECRET, oldSecret], signedWithOld.username, signedWithOld.credential, now)).toBe('valid');
    expect(verifyTurnCredentials([SECRET], signedWithOld.username, signedWithOld.credential, now)).toBe('forged');
  });
});

describe('parseTurnSecrets', () => {
  it('reads a rotation list separated by commas or newlines, signing secret first', () => {
    expect(parseTurnSecrets(' new-one , old-one\nolder-one\n')).toEqual(['new-one', 'old-one', 'older-one']);
    expect(parseTurnSecrets('')).toEqual([]);
    expect(parseTurnSecrets(undefined)).toEqual([]);
  });
});
