import { z } from 'zod';
import { base64Bytes, Id, Label, SiteId, Text, Timestamp } from './common.js';
import { Ed25519Signature } from './enrollment.js';
import { PROTOCOL_VERSION } from './limits.js';

/** First message on every connection: who the site claims to be. */
export const AuthHello = z.strictObject({
  site_id: SiteId,
  protocol: z.literal(PROTOCOL_VERSION, { error: `unsupported protocol version (this coordinator speaks ${PROTOCOL_VERSION})` }),
  agent_version: Label,
});

/** A fresh 32-byte nonce, valid once and only until `expires_at` (replays are refused). */
export const AuthChallenge = z
  .strictObject({
    coordinator: Id,
    nonce: base64Bytes(32),
    issued_at: Timestamp,
    expires_at: Timestamp,
  })
  .refine((c) => c.expires_at > c.issued_at, { message: 'must be after issued_at', path: ['expires_at'] });

/** The site's Ed25519 signature over `authSigningPayload(challenge, site_id)`. */
export const AuthResponse = z.strictObject({
  site_id: SiteId,
  nonce: base64Bytes(32),
  signature: Ed25519Signature,
});

export const AuthResult = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), session: Id }),
  z.strictObject({ ok: z.literal(false), reason: Text }),
]);

export type AuthHello = z.infer<typeof AuthHello>;
export type AuthChallenge = z.infer<typeof AuthChallenge>;
export type AuthResponse = z.infer<typeof AuthResponse>;
export type AuthResult = z.infer<typeof AuthResult>;

/**
 * The exact bytes a site signs to answer a challenge. Domain-separated and bound to the
 * coordinator, the site and the challenge times, so a signature cannot be replayed to another
 * coordinator, for another site, or after expiry.
 */
export function authSigningPayload(challenge: AuthChallenge, siteId: string): Uint8Array {
  const text = [
    'unbox-auth-v1',
    challenge.coordinator,
    siteId,
    challenge.nonce,
    String(challenge.issued_at),
    String(challenge.expires_at),
  ].join('\n');
  return new TextEncoder().encode(text);
}
