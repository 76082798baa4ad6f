/**
 * Server, round 4 (Unmasking): reconstruct s^SK of each dropped site and b of each survivor from
 * ≥ t shares, check each against its advertised public key / commitment, and strip the masks.
 */
import { bytesEqual } from '../bytes.js';
import { SecAggError } from '../errors.js';
import { x25519PublicKey } from '../keys.js';
import type { Unmasking } from '../messages.js';
import { addMask } from '../prg.js';
import { dequantise, type Decoded } from '../quantize.js';
import { pairwiseSeed, selfMaskCommitment, selfMaskSeed } from '../session.js';
import { combine, type Share } from '../shamir.js';
import { ServerStateBase, type Dropout, type ServerShared } from './base.js';
import type { SurvivorData } from './consistency-check.js';

export interface ServerUnmaskingData extends SurvivorData {
  u4: string[];
  dropped: string[];
}

export interface AggregateResult extends Decoded {
  /** the unmasked sum in Z_2^32 (last word: total weight) */
  sum: Uint32Array;
  /** U3: the sites whose updates are in the sum */
  included: string[];
  dropouts: Dropout[];
  /** sites whose shares did not fit the others' (left out of the reconstruction) */
  misbehaving: string[];
  sessionId: Uint8Array;
}

/**
 * Reconstruct from all shares and check the result (against an advertised key or a commitment).
 * If that fails and there are more than t shares, try again without each share in turn, so a single
 * lying site cannot fail the round; every candidate still uses ≥ t shares and passes the check.
 */
function reconstruct(shares: Share[], t: number, check: (secret: Uint8Array) => boolean, what: string): { secret: Uint8Array; liar?: number } {
  const attempt = (subset: Share[]) => {
    try {
      const secret = combine(subset, t);
      return check(secret) ? secret : undefined;
    } catch (e) {
      if (e instanceof SecAggError && e.code === 'reconstruction-failed') return undefined;
      throw e;
    }
  };
  const all = attempt(shares);
  if (all) return { secret: all };
  if (shares.length > t) {
    for (let j = 0; j < shares.length; j++) {
      const secret = attempt(shares.filter((_, i) => i !== j));
      if (secret) return { secret, liar: shares[j].x };
    }
  }
  throw new SecAggError('reconstruction-failed', `${what} could not be reconstructed from ${shares.length} shares (threshold ${t})`);
}

function sameSet(ids: string[], want: ReadonlySet<string>): boolean {
  return ids.length === want.size && new Set(ids).size === ids.length && ids.every((v) => want.has(v));
}

export class ServerUnmasking extends ServerStateBase<'unmasking'> {
  readonly stage = 'unmasking';
  protected readonly accepts = 'unmasking';
  protected readonly expected: ReadonlySet<string>;
  private readonly responses = new Map<string, Unmasking>();
  private readonly droppedSet: Set<string>;
  private readonly u3Set: Set<string>;

  constructor(
    shared: ServerShared,
    private readonly s: ServerUnmaskingData,
  ) {
    super(shared);
    this.expected = new Set(s.u4);
    this.droppedSet = new Set(s.dropped);
    this.u3Set = new Set(s.u3);
  }

  protected onMessage(m: Unmasking): void {
    if (!bytesEqual(m.sessionId, this.s.sid)) throw new SecAggError('replay', `unmasking of ${m.from} belongs to another session`);
    if (!sameSet(m.maskKeyShares.map((r) => r.of), this.droppedSet)) throw new SecAggError('malformed-message', `${m.from} sent mask-key shares for other sites than the dropped ones`);
    if (!sameSet(m.selfMaskShares.map((r) => r.of), this.u3Set)) throw new SecAggError('malformed-message', `${m.from} sent self-mask shares for other sites than the survivors`);
    this.responses.set(m.from, m);
  }

  private sharesOf(v: string, kind: 'maskKeyShares' | 'selfMaskShares'): Share[] {
    const out: Share[] = [];
    for (const [from, r] of this.responses) out.push({ x: this.shared.idx.get(from)! + 1, y: r[kind].find((e) => e.of === v)!.share });
    return out;
  }

  close(): { state: ServerCompleted; result: AggregateResult } {
    this.survivors();
    const { info, idx } = this.shared;
    const { sid, sum, u3 } = this.s;
    const alg = info.params.prg;
    const keys = new Map(this.s.advertised.map((a) => [a.id, a]));
    const byPoint = new Map(info.roster.map((r, i) => [i + 1, r.id]));
    const liars = new Set<string>();
    for (const d of this.s.dropped) {
      const { secret: sk, liar } = reconstruct(this.sharesOf(d, 'maskKeyShares'), info.threshold, (k) => bytesEqual(x25519PublicKey(k), keys.get(d)!.maskingKey), `mask key of ${d}`);
      if (liar) liars.add(byPoint.get(liar)!);
      for (const u of u3) {
        // u added +PRG when it precedes d on the roster, −PRG otherwise: undo that
        const seed = pairwiseSeed(sk, keys.get(u)!.maskingKey, sid, d, u, idx);
        addMask(sum, seed, alg, idx.get(u)! < idx.get(d)! ? -1 : 1);
      }
      sk.fill(0);
    }
    for (const u of u3) {
      const { secret: b, liar } = reconstruct(this.sharesOf(u, 'selfMaskShares'), info.threshold, (s) => bytesEqual(selfMaskCommitment(s, sid, u), this.s.commitments.get(u)!), `self-mask seed of ${u}`);
      if (liar) liars.add(byPoint.get(liar)!);
      addMask(sum, selfMaskSeed(b, sid, u), alg, -1);
    }
    const result: AggregateResult = { ...dequantise(sum, info.params), sum, included: [...u3], dropouts: this.shared.dropouts, misbehaving: [...liars].sort((a, b) => idx.get(a)! - idx.get(b)!), sessionId: sid };
    return { state: new ServerCompleted(), result };
  }
}

export class ServerCompleted {
  readonly stage = 'completed';
  accept(message: unknown): never {
    throw new SecAggError('finished', `the round is over; ${String((message as { type?: unknown } | null)?.type)} not accepted`);
  }
}
