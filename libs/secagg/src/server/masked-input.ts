/** Server, round 2 (MaskedInputCollection): add up the masked inputs as they arrive (one running sum). */
import { bytesEqual } from '../bytes.js';
import { SecAggError } from '../errors.js';
import type { AdvertisedKeys, ConsistencyCheckRequest, MaskedInput } from '../messages.js';
import { ServerStateBase, type ServerShared } from './base.js';
import { ServerConsistencyCheck } from './consistency-check.js';

export interface SessionData {
  sid: Uint8Array;
  advertised: AdvertisedKeys[];
  /** U2 in roster order */
  u2: string[];
  commitments: Map<string, Uint8Array>;
}

export class ServerMaskedInputCollection extends ServerStateBase<'masked-input'> {
  readonly stage = 'masked-input-collection';
  protected readonly accepts = 'masked-input';
  protected readonly expected: ReadonlySet<string>;
  private readonly sum: Uint32Array;

  constructor(
    shared: ServerShared,
    private readonly s: SessionData,
  ) {
    super(shared);
    this.expected = new Set(s.u2);
    this.sum = new Uint32Array(shared.info.params.length + 1);
  }

  protected onMessage(m: MaskedInput): void {
    if (!bytesEqual(m.sessionId, this.s.sid)) throw new SecAggError('replay', `masked input of ${m.from} belongs to another session`);
    if (m.masked.length !== this.sum.length) throw new SecAggError('malformed-message', `masked input of ${m.from} has ${m.masked.length} words, expected ${this.sum.length}`);
    // int32 views: the same sum mod 2^32, kept in integer registers
    const sum = new Int32Array(this.sum.buffer, this.sum.byteOffset, this.sum.length);
    const y = new Int32Array(m.masked.buffer, m.masked.byteOffset, m.masked.length);
    for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] + y[i]) | 0;
  }

  close(): { state: ServerConsistencyCheck; broadcast: ConsistencyCheckRequest } {
    const u3 = this.survivors();
    return {
      state: new ServerConsistencyCheck(this.shared, { ...this.s, u3, sum: this.sum }),
      broadcast: { type: 'consistency-check-request', sessionId: this.s.sid, survivors: u3 },
    };
  }
}
