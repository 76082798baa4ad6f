import { z } from 'zod';
import { LIMITS } from './limits.js';

/** Identifiers: short, printable, safe in paths and log lines. */
export const Id = z
  .string()
  .min(1, 'must not be empty')
  .max(LIMITS.id, `too long (max ${LIMITS.id} characters)`)
  .regex(/^[A-Za-z0-9._:-]+$/, 'only letters, digits and . _ : - are allowed');
export const SiteId = Id;
export const RunId = Id;
export const TransferId = Id;

export const Text = z.string().max(LIMITS.text, `too long (max ${LIMITS.text} characters)`);
export const Label = z
  .string()
  .min(1, 'must not be empty')
  .max(LIMITS.label, `too long (max ${LIMITS.label} characters)`);

/** A lowercase hex SHA-256 digest (model hashes, chunk hashes). */
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256 digest (64 characters)');

/** Milliseconds since the Unix epoch. */
export const Timestamp = z.number().int('must be an integer (ms since epoch)').nonnegative().max(8.64e15);
export const RoundNumber = z.number().int().min(1).max(LIMITS.rounds);

/**
 * Standard padded base64 of exactly `bytes` bytes (keys, nonces, signatures). Checked by length
 * and alphabet only, so the schema stays free of Buffer and runs in a browser too.
 */
export function base64Bytes(bytes: number) {
  const length = 4 * Math.ceil(bytes / 3);
  const pad = (3 - (bytes % 3)) % 3;
  const pattern = new RegExp(`^[A-Za-z0-9+/]{${length - pad}}={${pad}}$`);
  return z
    .string()
    .max(length, `expected base64 of ${bytes} bytes (${length} characters)`)
    .regex(pattern, `expected base64 of ${bytes} bytes (${length} characters)`);
}

/** Opaque token from `unbox-coordinator site add`: base64url, 32 to 128 characters. */
export const Token = z
  .string()
  .min(32, 'too short (min 32 characters)')
  .max(128, 'too long (max 128 characters)')
  .regex(/^[A-Za-z0-9_-]+$/, 'expected base64url characters');

/** A flat record of named finite numbers with a capped number of entries. */
export const Metrics = z
  .record(
    z
      .string()
      .max(LIMITS.metricName, `metric name too long (max ${LIMITS.metricName} characters)`)
      .regex(/^[A-Za-z0-9._/-]+$/, 'metric names use letters, digits and . _ / -'),
    z.number(),
  )
  .refine((m) => Object.keys(m).length <= LIMITS.metrics, `too many metrics (max ${LIMITS.metrics})`);
export type Metrics = z.infer<typeof Metrics>;

export function boundedArray<T extends z.ZodType>(item: T, max: number) {
  return z.array(item).max(max, `too many items (max ${max})`);
}
