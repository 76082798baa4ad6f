import { z } from 'zod';
import { boundedArray, Label, RoundNumber, RunId, Sha256Hex, SiteId, Text, Timestamp, Token } from './common.js';
import { Ed25519PublicKey } from './enrollment.js';
import { LIMITS } from './limits.js';
import { StrategyNameSchema } from './run-config.js';

/** REST bodies of the admin operations (`unbox-coordinator` CLI and the same over HTTP). */

/** `site add`: register a site; the response carries its one-time enrollment token. */
export const SiteAddRequest = z.strictObject({ site_id: SiteId, name: Label.optional() });
export const SiteAddResponse = z.strictObject({ site_id: SiteId, token: Token, expires_at: Timestamp });

export const SiteStatus = z.enum(['pending', 'enrolled', 'revoked']);
export const SiteInfo = z.strictObject({
  site_id: SiteId,
  name: Label.optional(),
  status: SiteStatus,
  public_key: Ed25519PublicKey.optional(),
  enrolled_at: Timestamp.optional(),
  revoked_at: Timestamp.optional(),
  last_seen: Timestamp.optional(),
  connected: z.boolean(),
});
export const SiteList = z.strictObject({ sites: boundedArray(SiteInfo, LIMITS.sites) });

export const SiteRevokeRequest = z.strictObject({ site_id: SiteId, reason: Text.optional() });

/** `run pause | resume | stop` (a run starts from a `run.config` body). */
export const RunControl = z.strictObject({ run_id: RunId, action: z.enum(['pause', 'resume', 'stop']) });

/** One stored global model. */
export const ModelVersion = z.strictObject({
  run_id: RunId,
  /** 0 for the initial model. */
  round: z.union([z.literal(0), RoundNumber]),
  model_hash: Sha256Hex,
  strategy: StrategyNameSchema,
  created: z.iso.datetime(),
  bytes: z.number().int().nonnegative(),
});
export const ModelVersionList = z.strictObject({ versions: boundedArray(ModelVersion, LIMITS.rounds + 1) });

export type SiteAddRequest = z.infer<typeof SiteAddRequest>;
export type SiteAddResponse = z.infer<typeof SiteAddResponse>;
export type SiteStatus = z.infer<typeof SiteStatus>;
export type SiteInfo = z.infer<typeof SiteInfo>;
export type SiteList = z.infer<typeof SiteList>;
export type SiteRevokeRequest = z.infer<typeof SiteRevokeRequest>;
export type RunControl = z.infer<typeof RunControl>;
export type ModelVersion = z.infer<typeof ModelVersion>;
export type ModelVersionList = z.infer<typeof ModelVersionList>;
