/**
 * The site's enrolled identity, kept in its folder as `identity.json` (mode 0600): the Ed25519 key
 * pair created at enrollment, the site id the coordinator bound to the token, the coordinator's
 * address and its key (pinned). `peers.json` pins the other sites' keys the first time they are
 * seen on a secure-aggregation roster, so a coordinator cannot swap a peer's key later.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const B64 = (bytes: number) => z.string().refine((s) => Buffer.from(s, 'base64').length === bytes, `must be base64 of ${bytes} bytes`);

export const IdentityFile = z.strictObject({
  version: z.literal(1),
  site_id: z.string().min(1).max(128),
  coordinator: z.string().url(),
  public_key: B64(32),
  secret_key: B64(32),
  coordinator_key: B64(32),
  enrolled_at: z.number().int(),
});
export type IdentityFile = z.infer<typeof IdentityFile>;

export interface SiteIdentity {
  siteId: string;
  coordinator: string;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
  coordinatorKey: Uint8Array;
}

export const identityPath = (siteDir: string) => join(siteDir, 'identity.json');

function writePrivate(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export function saveIdentity(siteDir: string, f: IdentityFile): void {
  mkdirSync(siteDir, { recursive: true, mode: 0o700 });
  writePrivate(identityPath(siteDir), JSON.stringify(IdentityFile.parse(f), null, 1) + '\n');
}

export function loadIdentity(siteDir: string): SiteIdentity {
  const path = identityPath(siteDir);
  if (!existsSync(path)) throw new IdentityError(`${path}: no identity here; enroll first (unbox-site enroll --coordinator <url> --token <token> --site-dir ${siteDir})`);
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) throw new IdentityError(`${path}: readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  let f: IdentityFile;
  try {
    f = IdentityFile.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    const msg = e instanceof z.ZodError ? `field '${e.issues[0].path.join('.')}': ${e.issues[0].message}` : (e as Error).message;
    throw new IdentityError(`${path}: not a site identity (${msg})`);
  }
  const b = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
  return { siteId: f.site_id, coordinator: f.coordinator, publicKey: b(f.public_key), secretKey: b(f.secret_key), coordinatorKey: b(f.coordinator_key) };
}

/** Trust-on-first-use store of peer signing keys. */
export class PeerKeys {
  private readonly keys = new Map<string, string>();
  constructor(private readonly path: string | null) {
    if (path && existsSync(path)) {
      const j = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
      for (const [k, v] of Object.entries(j)) this.keys.set(k, v);
    }
  }

  /**
   * The directory for a roster: pinned keys where known (a changed key stays the pinned one, so
   * the secure-aggregation client refuses the roster), new peers pinned now.
   */
  directory(roster: readonly { id: string; signingKey: Uint8Array }[]): Map<string, Uint8Array> {
    let changed = false;
    const out = new Map<string, Uint8Array>();
    for (const r of roster) {
      const given = Buffer.from(r.signingKey).toString('base64');
      const pinned = this.keys.get(r.id);
      if (!pinned) {
        this.keys.set(r.id, given);
        changed = true;
      }
      out.set(r.id, new Uint8Array(Buffer.from(this.keys.get(r.id)!, 'base64')));
    }
    if (changed && this.path) writePrivate(this.path, JSON.stringify(Object.fromEntries(this.keys), null, 1));
    return out;
  }
}

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
}
