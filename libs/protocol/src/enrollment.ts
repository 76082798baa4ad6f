import { z } from 'zod';
import { base64Bytes, Label, SiteId, Timestamp, Token } from './common.js';

/** An Ed25519 public key: 32 raw bytes, base64. */
export const Ed25519PublicKey = base64Bytes(32);
/** An Ed25519 signature: 64 raw bytes, base64. */
export const Ed25519Signature = base64Bytes(64);

/**
 * `unbox-site enroll`: the site proves possession of a one-time token (printed by
 * `unbox-coordinator site add`, bound there to one site id) and registers its identity key.
 */
export const EnrollRequest = z.strictObject({
  token: Token,
  public_key: Ed25519PublicKey,
  agent_version: Label,
});

export const EnrollResponse = z.strictObject({
  site_id: SiteId,
  /** the coordinator's own Ed25519 key, so the site can pin it. */
  coordinator_key: Ed25519PublicKey,
  enrolled_at: Timestamp,
});

export type EnrollRequest = z.infer<typeof EnrollRequest>;
export type EnrollResponse = z.infer<typeof EnrollResponse>;
