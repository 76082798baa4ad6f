/**
 * DICOM UIDs. A phantom must be byte-identical for a seed, so UIDs are derived from a key, not
 * from time or randomness: "2.25." + the first 128 bits of SHA-256(key) as a decimal integer,
 * the UUID-derived form of ISO/IEC 9834-8 that PS3.5 B.2 allows without a registered root.
 */
import { createHash } from 'node:crypto';

export function uidFromKey(key: string): string {
  const h = createHash('sha256').update(key).digest();
  let n = 0n;
  for (let i = 0; i < 16; i++) n = (n << 8n) | BigInt(h[i]);
  // A UUID-derived UID sets the version/variant bits; keep the value in range and non-zero.
  if (n === 0n) n = 1n;
  return `2.25.${n.toString(10)}`;
}

/** True when `uid` is syntactically valid (PS3.5 9.1): digits and dots, no leading zeros, <= 64 chars. */
export function isValidUid(uid: string): boolean {
  if (uid.length === 0 || uid.length > 64) return false;
  return uid.split('.').every((c) => /^(0|[1-9][0-9]*)$/.test(c));
}

export const UID = {
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  CTImageStorage: '1.2.840.10008.5.1.4.1.1.2',
  MRImageStorage: '1.2.840.10008.5.1.4.1.1.4',
  /** This writer's implementation class UID (derived the same way, fixed). */
  Implementation: uidFromKey('unbox/libs/data/writers/dicom'),
} as const;
