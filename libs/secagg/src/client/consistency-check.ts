/** Client, round 3 (ConsistencyCheck): sign the survivor set U3 so that every site can check all got the same one. */
import { bytesEqual } from '../bytes.js';
import { sign } from '../keys.js';
import type { ConsistencyCheckRequest } from '../messages.js';
import { consistencyPayload, sortByRoster, type SharePlain } from '../session.js';
import { ClientStateBase, fail, type ClientStep, type Secrets } from './base.js';
import type { MaskedInputData } from './masked-input.js';
import { ClientUnmasking } from './unmasking.js';

export interface ConsistencyData extends MaskedInputData {
  /** U2: sites that shared keys (this one included) */
  u2: Set<string>;
  /** shares this site holds, by the site they belong to */
  held: Map<string, SharePlain>;
  secrets: Secrets;
}

export class ClientConsistencyCheck extends ClientStateBase<'consistency-check-request'> {
  readonly stage = 'consistency-check';
  protected readonly accepts = 'consistency-check-request';
  protected readonly secrets: Secrets;
  protected readonly id: string;
  protected readonly sessionId: Uint8Array;

  constructor(private readonly d: ConsistencyData) {
    super();
    this.id = d.setup.identity.id;
    this.sessionId = d.sid;
    this.secrets = d.secrets;
  }

  protected onMessage(m: ConsistencyCheckRequest): ClientStep {
    const { sid, u2, idx, info } = this.d;
    if (!bytesEqual(m.sessionId, sid)) fail('replay', 'consistency-check request of another session');
    const u3 = new Set<string>();
    for (const v of m.survivors) {
      if (u3.has(v)) fail('duplicate', `${v} twice in the survivor list`);
      if (!u2.has(v)) fail('unknown-site', `survivor ${v} never shared keys in this session`);
      u3.add(v);
    }
    if (!u3.has(this.id)) fail('inconsistent-survivors', 'the survivor list omits this site although it sent its masked input');
    if (u3.size < info.threshold) fail('below-threshold', `${u3.size} survivors, threshold ${info.threshold}`);
    const survivors = sortByRoster(u3, idx);
    const signature = sign(this.d.setup.identity.secretKey, consistencyPayload(sid, survivors));
    const next = new ClientUnmasking({ ...this.d, survivors, u3 });
    return { state: next, reply: { type: 'consistency-signature', sessionId: sid, from: this.id, signature } };
  }
}
