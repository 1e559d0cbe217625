/**
 * Password hashing with node:crypto scrypt: a random 16-byte salt per password, the cost
 * parameters stored beside the hash (`scrypt$N$r$p$salt$hash`) so they can be raised later
 * without breaking existing hashes, and a timing-safe comparison.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Production cost: N=2^15, r=8, p=1 (32 MiB, tens of milliseconds). Tests pass a lower N. */
export const DEFAULT_SCRYPT_N = 32768;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { ...options, maxmem: 256 * (options.N ?? 1) * (options.r ?? 8) + 1024 * 1024 },
      (err, key) => {
        if (err) reject(err);
        else resolve(key);
      },
    );
  });
}

export async function hashPassword(
  password: string,
  n: number = DEFAULT_SCRYPT_N,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N: n, r: 8, p: 1 });
  return `scrypt$${n}$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  if (expected.length !== KEY_LENGTH) return false;
  const key = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(key, expected);
}
