/** The tfjs backend, chosen once per process (UNBOX_BACKEND or the libs/models order) and recorded in every result. */
import { backendInfo, selectBackend, type BackendInfo } from '@unbox/models';
import { UserError } from '../errors.js';

let ready: Promise<BackendInfo> | null = null;

export async function ensureBackend(): Promise<BackendInfo> {
  ready ??= selectBackend().catch((e: Error) => {
    ready = null;
    // UNBOX_BACKEND names a backend that cannot start: the operator's setting, not a bug.
    throw /UNBOX_BACKEND/.test(e.message) ? new UserError(e.message) : e;
  });
  await ready;
  return backendInfo();
}
