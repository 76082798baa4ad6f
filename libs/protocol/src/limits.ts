/**
 * Size limits for every string, array and binary field on the wire. A message over any limit is
 * refused by its schema with an error naming the field, before any handler sees it.
 */
export const LIMITS = {
  /** site, run, transfer and session identifiers. */
  id: 128,
  /** free-text reasons, names and error messages. */
  text: 1024,
  /** version strings, backend names, short labels. */
  label: 64,
  /** sites in one cohort or roster. */
  sites: 10_000,
  rounds: 100_000,
  /** named tensors in one model. */
  tensors: 4096,
  tensorName: 256,
  tensorRank: 8,
  /** one model transfer: 2 GiB (the largest ArrayBuffer every runtime allocates). */
  transferBytes: 2 ** 31 - 1,
  /** one binary frame; socket.io's maxHttpBufferSize must be at least this plus a small header. */
  chunkBytes: 4 * 1024 * 1024,
  chunks: 1 << 20,
  /** entries in a flat metrics record (e.g. train loss, accuracy). */
  metrics: 64,
  metricName: 64,
  /** points on one ROC or PR curve. */
  curvePoints: 4097,
  /** classes in a per-class Dice list. */
  classes: 16,
  /** name patterns in a FedBN configuration. */
  patterns: 32,
  pattern: 200,
} as const;

/** The default binary frame size: well under socket.io's 1 MB default buffer. */
export const DEFAULT_CHUNK_BYTES = 512 * 1024;

/** Wire protocol version; a site speaking another one is refused at `auth.hello`. */
export const PROTOCOL_VERSION = 1;
