/**
 * Signed-out clinician sessions of this site: <site-dir>/revoked-tokens.json (mode 0600, written
 * atomically: temp file + rename), holding the SHA-256 of each signed-out token and the token's own
 * expiry (@unbox/accounts TokenRevocations), so a copied token stays refused after a restart. Expired
 * entries are dropped at each write. A corrupt file stops `serve` with its name: ignoring it would
 * bring signed-out sessions back.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenRevocations, type Revocation } from '@unbox/accounts';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { writePrivateJson } from './private-json.js';

export const revokedTokensPath = (siteDir: string) => join(siteDir, 'revoked-tokens.json');

const RevokedTokensFile = z.strictObject({
  version: z.literal(1),
  revoked: z.array(z.strictObject({ hash: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 hex characters (SHA-256)'), expires_at: z.number().int() })),
});

export function readRevocations(path: string): Revocation[] {
  if (!existsSync(path)) return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: not JSON (${(e as Error).message}); delete it to forget the sign-outs (their sessions would work again until they expire, 12 h at most)`);
  }
  const r = RevokedTokensFile.safeParse(json);
  if (!r.success) throw new UserError(`${path}: ${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`);
  return r.data.revoked;
}

export function writeRevocations(path: string, revoked: Revocation[]): void {
  writePrivateJson(path, { version: 1, revoked } satisfies z.infer<typeof RevokedTokensFile>);
}

/** The site's revocation list, loaded from its file; `record` writes the file before the list changes. */
export class RevokedTokens {
  readonly list: TokenRevocations;

  constructor(
    readonly path: string,
    now: () => number = Date.now,
  ) {
    this.list = new TokenRevocations(now, readRevocations(path));
  }

  record(r: Revocation): void {
    writeRevocations(this.path, [...this.list.entries().filter((e) => e.hash !== r.hash), r]);
    this.list.add(r);
  }
}
