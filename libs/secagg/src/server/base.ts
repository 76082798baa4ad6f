/**
 * The server side: one class per protocol state, each accepting only its own client message (and
 * aborts, which count as dropouts). A rejected message throws a SecAggError and changes nothing;
 * the transport then treats that site as dropped. `close()` ends the stage once the transport's
 * deadline passes, and fails with 'below-threshold' if fewer than t sites remain.
 */
import { resolveParams, validateThreshold, defaultThreshold, type SecAggParams, type SecAggParamsInput } from '../config.js';
import { SecAggError } from '../errors.js';
import { ClientMessage, type Abort, type RosterEntry } from '../messages.js';
import { rosterIndex, type RoundInfo } from '../session.js';

export type ServerStage = 'advertise-keys' | 'share-keys' | 'masked-input-collection' | 'consistency-check' | 'unmasking' | 'completed';

/** Stage names as runs/<run>/summary.json records dropouts (shared/notes/result-formats.md). */
export type DropoutStage = 'advertise_keys' | 'share_keys' | 'masked_input' | 'consistency_check' | 'unmasking';
const DROPOUT_STAGE: Record<Exclude<ServerStage, 'completed'>, DropoutStage> = {
  'advertise-keys': 'advertise_keys',
  'share-keys': 'share_keys',
  'masked-input-collection': 'masked_input',
  'consistency-check': 'consistency_check',
  unmasking: 'unmasking',
};

export interface Dropout {
  site: string;
  /** the stage whose message never came (or was an abort) */
  stage: DropoutStage;
  /** the site's own reason when it aborted */
  code?: string;
  reason?: string;
}

export interface ServerSetup {
  run: string;
  round: number;
  modelHash: Uint8Array;
  roster: RosterEntry[];
  params: SecAggParamsInput | SecAggParams;
  /** defaults to ⌊2n/3⌋ + 1 */
  threshold?: number;
}

export interface ServerShared {
  info: RoundInfo;
  idx: Map<string, number>;
  directory: Map<string, Uint8Array>;
  dropouts: Dropout[];
}

export function serverShared(setup: ServerSetup): ServerShared {
  const params = resolveParams(setup.params);
  const n = setup.roster.length;
  if (n > params.maxSites) throw new SecAggError('invalid-parameters', `roster of ${n} exceeds maxSites ${params.maxSites}`);
  const ids = new Set(setup.roster.map((r) => r.id));
  if (ids.size !== n) throw new SecAggError('duplicate', 'a site appears twice on the roster');
  const threshold = setup.threshold ?? defaultThreshold(n);
  validateThreshold(threshold, n);
  const info: RoundInfo = { run: setup.run, round: setup.round, modelHash: setup.modelHash, threshold, roster: setup.roster, params };
  return { info, idx: rosterIndex(setup.roster), directory: new Map(setup.roster.map((r) => [r.id, r.signingKey])), dropouts: [] };
}

export abstract class ServerStateBase<T extends ClientMessage['type']> {
  abstract readonly stage: Exclude<ServerStage, 'completed'>;
  protected abstract readonly accepts: T;
  /** the sites this stage expects a message from (the survivors of the previous stage) */
  protected abstract readonly expected: ReadonlySet<string>;
  protected readonly received = new Set<string>();
  private readonly aborted = new Set<string>();

  constructor(protected readonly shared: ServerShared) {}

  protected abstract onMessage(m: Extract<ClientMessage, { type: T }>): void;

  /** Takes one client message; throws SecAggError (and keeps its state) if it is not acceptable here. */
  accept(message: unknown): void {
    const parsed = ClientMessage.safeParse(message);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new SecAggError('malformed-message', `${i.path.join('.') || 'message'}: ${i.message}`);
    }
    const m = parsed.data;
    if (!this.expected.has(m.from)) throw new SecAggError('unknown-site', `${m.from} is not expected in stage ${this.stage}`);
    if (this.received.has(m.from) || this.aborted.has(m.from)) throw new SecAggError('duplicate', `${m.from} already answered in stage ${this.stage}`);
    if (m.type === 'abort') {
      this.aborted.add(m.from);
      this.shared.dropouts.push({ site: m.from, stage: DROPOUT_STAGE[this.stage], code: (m as Abort).code, reason: (m as Abort).reason });
      return;
    }
    if (m.type !== this.accepts) throw new SecAggError('unexpected-message', `stage ${this.stage} accepts ${this.accepts}, got ${m.type} from ${m.from}`);
    this.onMessage(m as Extract<ClientMessage, { type: T }>);
    this.received.add(m.from);
  }

  /** Sites that answered, in roster order; throws below-threshold when fewer than t. */
  protected survivors(): string[] {
    const { idx, info } = this.shared;
    for (const v of this.expected) {
      if (!this.received.has(v) && !this.aborted.has(v)) this.shared.dropouts.push({ site: v, stage: DROPOUT_STAGE[this.stage] });
    }
    const out = [...this.received].sort((a, b) => idx.get(a)! - idx.get(b)!);
    if (out.length < info.threshold) throw new SecAggError('below-threshold', `stage ${this.stage}: ${out.length} sites answered, threshold ${info.threshold}`);
    return out;
  }
}
