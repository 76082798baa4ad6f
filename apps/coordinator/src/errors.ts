import type { ErrorCode } from '@unbox/protocol';

/** A refusal with the protocol's error code; REST maps it to an HTTP status, the socket sends it as `error`. */
export class CoordinatorError extends Error {
  override readonly name = 'CoordinatorError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_message: 400,
  too_large: 413,
  unknown_kind: 400,
  unauthorized: 401,
  out_of_order: 409,
  not_found: 404,
  conflict: 409,
  internal: 500,
  rate_limited: 429,
};
