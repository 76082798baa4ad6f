import { z } from 'zod';
import { RoundNumber, RunId, Text, Timestamp } from './common.js';

/** Site → coordinator every few seconds; missing beats mark a site disconnected. */
export const Heartbeat = z.strictObject({
  seq: z.number().int().min(0),
  sent_at: Timestamp,
  status: z.enum(['idle', 'training', 'evaluating', 'aggregating']),
  run_id: RunId.optional(),
  round: RoundNumber.optional(),
});

export const ErrorCode = z.enum([
  'bad_message',
  'too_large',
  'unknown_kind',
  'unauthorized',
  'out_of_order',
  'not_found',
  'conflict',
  'internal',
  /** a connection sent more messages than its rate limit; the excess was dropped */
  'rate_limited',
]);

/** Either side: a message was refused; `field` names the offending field when there is one. */
export const ErrorMessage = z.strictObject({
  code: ErrorCode,
  message: Text,
  kind: z.string().max(64).optional(),
  field: z.string().max(256).optional(),
});

export type Heartbeat = z.infer<typeof Heartbeat>;
export type ErrorCode = z.infer<typeof ErrorCode>;
export type ErrorMessage = z.infer<typeof ErrorMessage>;
