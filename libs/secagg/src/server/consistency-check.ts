/** Server, round 3 (ConsistencyCheck): collect each survivor's signature over U3 and pass them all on. */
import { bytesEqual } from '../bytes.js';
import { SecAggError } from '../errors.js';
import { verify } from '../keys.js';
import type { ConsistencySignature, UnmaskingRequest } from '../messages.js';
import { consistencyPayload } from '../session.js';
import { ServerStateBase, type ServerShared } from './base.js';
import type { SessionData } from './masked-input.js';
import { ServerUnmasking } from './unmasking.js';

export interface SurvivorData extends SessionData {
  /** U3 in roster order */
  u3: string[];
  /** Σ y_u over U3 (still masked) */
  sum: Uint32Array;
}

export class ServerConsistencyCheck extends ServerStateBase<'consistency-signature'> {
  readonly stage = 'consistency-check';
  protected readonly accepts = 'consistency-signature';
  protected readonly expected: ReadonlySet<string>;
  private readonly signatures = new Map<string, Uint8Array>();
  private readonly payload: Uint8Array;

  constructor(
    shared: ServerShared,
    private readonly s: SurvivorData,
  ) {
    super(shared);
    this.expected = new Set(s.u3);
    this.payload = consistencyPayload(s.sid, s.u3);
  }

  protected onMessage(m: ConsistencySignature): void {
    if (!bytesEqual(m.sessionId, this.s.sid)) throw new SecAggError('replay', `consistency signature of ${m.from} belongs to another session`);
    if (!verify(this.shared.directory.get(m.from)!, this.payload, m.signature)) throw new SecAggError('bad-signature', `${m.from} did not sign this survivor list`);
    this.signatures.set(m.from, m.signature);
  }

  close(): { state: ServerUnmasking; broadcast: UnmaskingRequest } {
    const u4 = this.survivors();
    const u3 = new Set(this.s.u3);
    const dropped = this.s.u2.filter((v) => !u3.has(v));
    return {
      state: new ServerUnmasking(this.shared, { ...this.s, u4, dropped }),
      broadcast: { type: 'unmasking-request', sessionId: this.s.sid, dropped, signatures: u4.map((id) => ({ id, signature: this.signatures.get(id)! })) },
    };
  }
}
