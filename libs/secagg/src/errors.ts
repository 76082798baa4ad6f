/**
 * Every refusal and protocol failure carries a stable code, so a site can say *why* it stopped and
 * the coordinator can record it next to the dropout.
 */
export const SECAGG_ERROR_CODES = [
  'unexpected-message', // a message that the current state does not accept
  'malformed-message', // fails its schema, or names sites/lengths that cannot be right
  'invalid-parameters', // configuration that could overflow or is unsafe (threshold)
  'invalid-input', // the site's own update (NaN, wrong length, bad weight)
  'below-threshold', // fewer than t sites left, or fewer than t shares
  'both-shares', // a request that would reveal both kinds of share of one peer
  'inconsistent-survivors', // survivor lists differ between sites (signed consistency check)
  'replay', // a message of another run, round or session
  'model-hash-changed', // the round's model hash is not the one this site trained on
  'bad-signature', // an Ed25519 signature that does not verify
  'low-order-key', // an X25519 key or agreement in the small subgroup / all-zero secret
  'bad-ciphertext', // a share ciphertext that fails to open or names the wrong parties
  'unknown-site', // a site that is not on the roster / not expected at this stage
  'duplicate', // a second message from the same site for the same stage
  'reconstruction-failed', // shares that do not reconstruct the committed secret
  'finished', // the protocol is over for this party
] as const;
export type SecAggErrorCode = (typeof SECAGG_ERROR_CODES)[number];

export class SecAggError extends Error {
  constructor(
    readonly code: SecAggErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'SecAggError';
  }
}
