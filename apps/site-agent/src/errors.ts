import { DataError, ManifestError } from '@unbox/data';

/**
 * A problem the person running the command can fix (a wrong path, a bad option, an unreadable
 * file): reported as one message, without a stack trace, and exit code 2.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Exit codes: documented in `unbox-site --help`. */
export const EXIT = { ok: 0, badEntries: 1, userError: 2, internal: 70 } as const;

export function isUserError(e: unknown): e is Error {
  return e instanceof UserError || e instanceof DataError || e instanceof ManifestError;
}
