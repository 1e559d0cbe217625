import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.ts';
import { signVisitorToken, verifyVisitorToken } from './visitorToken.ts';

describe('passwords', () => {
  it('hash with a random salt and verify', async () => {
    const a = await hashPassword('correct horse', 1024);
    const b = await hashPassword('correct horse', 1024);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
    expect(await verifyPassword('correct horse', 'plain text')).toBe(false);
    expect(await verifyPassword('correct horse', a.slice(0, -4))).toBe(false);
  });

  it('use a sound cost by default', async () => {
    expect(await hashPassword('x')).toMatch(/^scrypt\$32768\$8\$1\$/);
  });
});

describe('visitor tokens', () => {
  const secret = 'test-secret';
  const claims = {
    channelId: 'ch1',
    channelSlug: 'groovy-hats',
    origin: 'https://shop.example',
    expiresAt: new Date('2026-01-01T00:15:00Z'),
  };

  it('round-trip their claims until they expire', () => {
    const token = signVisitorToken(secret, claims);
    expect(verifyVisitorToken(secret, token, new Date('2026-01-01T00:00:00Z'))).toEqual(claims);
    expect(verifyVisitorToken(secret, token, new Date('2026-01-01T00:15:00Z'))).toBe(
      'FLX_ERR_AUTH_TOKEN_EXPIRED',
    );
  });

  it('refuse tampering, another secret and garbage', () => {
    const token = signVisitorToken(secret, claims);
    const now = new Date('2026-01-01T00:00:00Z');
    const [payload, sig] = token.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify({ v: 1, c: 'ch2', s: 'x', o: claims.origin, e: claims.expiresAt.getTime() }),
    ).toString('base64url');
    expect(verifyVisitorToken(secret, `${forged}.${sig}`, now)).toBe('FLX_ERR_AUTH_TOKEN_INVALID');
    expect(verifyVisitorToken('other-secret', token, now)).toBe('FLX_ERR_AUTH_TOKEN_INVALID');
    expect(verifyVisitorToken(secret, payload, now)).toBe('FLX_ERR_AUTH_TOKEN_INVALID');
    expect(verifyVisitorToken(secret, `${token}.x`, now)).toBe('FLX_ERR_AUTH_TOKEN_INVALID');
    expect(verifyVisitorToken(secret, '', now)).toBe('FLX_ERR_AUTH_TOKEN_INVALID');
  });
});
