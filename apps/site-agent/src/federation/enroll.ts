/**
 * `unbox-site enroll`: creates the site's Ed25519 identity and registers its public key with the
 * coordinator, which accepts the one-time token once. The secret key never leaves the site folder.
 */
import { existsSync } from 'node:fs';
import { EnrollResponse, ErrorMessage, type EnrollRequest } from '@unbox/protocol';
import { generateIdentity } from '@unbox/secagg';
import { identityPath, saveIdentity, IdentityError } from './identity.js';

export const AGENT_VERSION = 'unbox-site/0.1.0';

export async function enrollSite(o: { coordinator: string; token: string; siteDir: string; force?: boolean; fetch?: typeof fetch }): Promise<{ siteId: string; path: string }> {
  let base: URL;
  try {
    base = new URL(o.coordinator);
  } catch {
    throw new IdentityError(`--coordinator: '${o.coordinator}' is not a URL (e.g. https://coordinator.example.org)`);
  }
  if (!['http:', 'https:'].includes(base.protocol)) throw new IdentityError(`--coordinator: use an http(s) URL, got ${base.protocol}`);
  const path = identityPath(o.siteDir);
  if (existsSync(path) && !o.force) throw new IdentityError(`${path} exists: this site is enrolled already (use --force to enroll again with a new token)`);
  const id = generateIdentity('pending');
  const body: EnrollRequest = { token: o.token, public_key: Buffer.from(id.publicKey).toString('base64'), agent_version: AGENT_VERSION };
  const f = o.fetch ?? fetch;
  let res: Response;
  try {
    res = await f(new URL('/api/enroll', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (e) {
    throw new IdentityError(`cannot reach the coordinator at ${base.origin}: ${(e as Error).message}`);
  }
  const json = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const err = ErrorMessage.safeParse(json);
    throw new IdentityError(`enrollment refused (${res.status}): ${err.success ? err.data.message : 'no reason given'}`);
  }
  const r = EnrollResponse.safeParse(json);
  if (!r.success) throw new IdentityError(`coordinator answered with an invalid enroll.response: ${r.error.issues[0].message}`);
  saveIdentity(o.siteDir, {
    version: 1,
    site_id: r.data.site_id,
    coordinator: base.origin,
    public_key: body.public_key,
    secret_key: Buffer.from(id.secretKey).toString('base64'),
    coordinator_key: r.data.coordinator_key,
    enrolled_at: r.data.enrolled_at,
  });
  id.secretKey.fill(0);
  return { siteId: r.data.site_id, path };
}
