/**
 * Password hashes for dashboard accounts (coordinator admins, site clinicians): scrypt (RFC 7914) with a random 16-byte salt, stored as
 * `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` so the cost can be raised later without breaking old
 * hashes. Verification is constant-time in the hash, and an unknown user is checked against a
 * dummy hash so both refusals take the same time.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** N = 2^15, r = 8, p = 1: 32 MiB and ~0.1 s per check (OWASP's scrypt minimum is N = 2^17 at r = 8, p = 1 for fast servers; 2^15 keeps 2-core sites usable). */
export const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLen: 32 } as const;

function scrypt(password: string, salt: Buffer, keyLen: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keyLen, { ...o, maxmem: 256 * o.N! * o.r! }, (e, k) => (e ? reject(e) : resolve(k))));
}

export async function hashPassword(password: string, cost: { N: number; r: number; p: number } = SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keyLen, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

const DUMMY = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** True when `password` matches `stored`; `stored` null (no such user) costs the same and is false. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parse = (h: string) => /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(h);
  const known = stored === null ? null : parse(stored);
  const m = known ?? parse(DUMMY)!;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const want = Buffer.from(m[5], 'base64');
  const got = await scrypt(password, Buffer.from(m[4], 'base64'), want.length, { N, r, p });
  return timingSafeEqual(got, want) && known !== null;
}

/** A readable random password (20 base64url characters, 120 bits) for `user add` without one. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
