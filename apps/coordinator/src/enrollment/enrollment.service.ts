/**
 * Sites: `site add` issues a one-time token bound to a site id; `enroll` trades it (once, before it
 * expires) for registering the site's Ed25519 public key; `revoke` shuts a site out for good.
 */
import type { EnrollRequest, EnrollResponse, SiteAddRequest, SiteAddResponse, SiteInfo } from '@unbox/protocol';
import { CoordinatorError } from '../errors.js';
import { StoreConflict, type Store } from '../db/store.js';
import { newToken, tokenHash, type CoordinatorIdentity } from './secrets.js';

export class EnrollmentService {
  constructor(
    private readonly store: Store,
    private readonly identity: CoordinatorIdentity,
    private readonly tokenTtlMs: number,
    private readonly now: () => number,
    private readonly connected: () => ReadonlySet<string> = () => new Set(),
  ) {}

  async addSite(req: SiteAddRequest): Promise<SiteAddResponse> {
    const token = newToken();
    const expires = this.now() + this.tokenTtlMs;
    try {
      await this.store.addSite({ id: req.site_id, name: req.name, tokenHash: tokenHash(token), tokenExpiresAt: expires, now: this.now() });
    } catch (e) {
      if (e instanceof StoreConflict) throw new CoordinatorError('conflict', e.message, 'site_id');
      throw e;
    }
    return { site_id: req.site_id, token, expires_at: expires };
  }

  async enroll(req: EnrollRequest): Promise<EnrollResponse> {
    const hash = tokenHash(req.token);
    const site = await this.store.siteByTokenHash(hash);
    // one message for unknown and used tokens alike: the caller learns nothing about other sites
    if (!site || site.status !== 'pending') throw new CoordinatorError('unauthorized', 'enrollment token is unknown or already used', 'token');
    if (site.token_expires_at !== null && site.token_expires_at < this.now())
      throw new CoordinatorError('unauthorized', `enrollment token expired; run 'unbox-coordinator site add ${site.id}' again`, 'token');
    const now = this.now();
    if (!(await this.store.enrollSite(site.id, hash, req.public_key, now))) throw new CoordinatorError('unauthorized', 'enrollment token is unknown or already used', 'token');
    return { site_id: site.id, coordinator_key: Buffer.from(this.identity.publicKey).toString('base64'), enrolled_at: now };
  }

  async list(): Promise<SiteInfo[]> {
    const online = this.connected();
    return (await this.store.listSites()).map((s) => ({
      site_id: s.id,
      ...(s.name ? { name: s.name } : {}),
      status: s.status,
      ...(s.public_key ? { public_key: s.public_key } : {}),
      ...(s.enrolled_at !== null ? { enrolled_at: s.enrolled_at } : {}),
      ...(s.revoked_at !== null ? { revoked_at: s.revoked_at } : {}),
      ...(s.last_seen !== null ? { last_seen: s.last_seen } : {}),
      connected: online.has(s.id),
    }));
  }

  async revoke(siteId: string, reason?: string): Promise<void> {
    const site = await this.store.site(siteId);
    if (!site) throw new CoordinatorError('not_found', `no site '${siteId}'`, 'site_id');
    if (!(await this.store.revokeSite(siteId, reason ?? null, this.now()))) throw new CoordinatorError('conflict', `site '${siteId}' is already revoked`, 'site_id');
  }
}
