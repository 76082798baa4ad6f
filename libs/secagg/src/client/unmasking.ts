/**
 * Client, round 4 (Unmasking): only after every listed survivor signed the *same* U3 does the site
 * reveal, per peer, exactly one kind of share: of s^SK for U2 \ U3 (dropped), of b for U3.
 */
import { bytesEqual } from '../bytes.js';
import { verify } from '../keys.js';
import type { UnmaskingRequest } from '../messages.js';
import { consistencyPayload, sortByRoster } from '../session.js';
import { ClientCompleted, ClientStateBase, fail, wipe, type ClientStep, type Secrets } from './base.js';
import type { ConsistencyData } from './consistency-check.js';

export interface UnmaskingData extends ConsistencyData {
  survivors: string[];
  u3: Set<string>;
}

export class ClientUnmasking extends ClientStateBase<'unmasking-request'> {
  readonly stage = 'unmasking';
  protected readonly accepts = 'unmasking-request';
  protected readonly secrets: Secrets;
  protected readonly id: string;
  protected readonly sessionId: Uint8Array;

  constructor(private readonly d: UnmaskingData) {
    super();
    this.id = d.setup.identity.id;
    this.sessionId = d.sid;
    this.secrets = d.secrets;
  }

  protected onMessage(m: UnmaskingRequest): ClientStep {
    const { sid, u2, u3, idx, info, held, survivors, setup } = this.d;
    if (!bytesEqual(m.sessionId, sid)) fail('replay', 'unmasking request of another session');
    const payload = consistencyPayload(sid, survivors);
    const signers = new Set<string>();
    for (const s of m.signatures) {
      if (signers.has(s.id)) fail('duplicate', `two consistency signatures of ${s.id}`);
      if (!u3.has(s.id)) fail('inconsistent-survivors', `consistency signature of ${s.id}, who is not in this site's survivor list`);
      if (!verify(setup.directory.get(s.id)!, payload, s.signature)) fail('inconsistent-survivors', `${s.id} signed a different survivor list (or session) than this site`);
      signers.add(s.id);
    }
    if (signers.size < info.threshold) fail('below-threshold', `${signers.size} consistency signatures, threshold ${info.threshold}`);

    const dropped = new Set<string>();
    for (const v of m.dropped) {
      if (u3.has(v)) fail('both-shares', `${v} is a survivor: revealing its mask-key share as well as its self-mask share would unmask its input`);
      if (!u2.has(v)) fail('unknown-site', `${v} is listed as dropped but never shared keys`);
      dropped.add(v);
    }
    const expected = [...u2].filter((v) => !u3.has(v));
    if (expected.length !== dropped.size || expected.some((v) => !dropped.has(v)))
      fail('inconsistent-survivors', `dropped list [${sortByRoster(dropped, idx).join(', ')}] differs from U2 \\ U3 = [${sortByRoster(expected, idx).join(', ')}]`);

    // one kind of share per peer, decided by this site's own U2 and U3, never by the request
    const maskKeyShares = sortByRoster(expected, idx).map((v) => ({ of: v, share: held.get(v)!.maskKeyShare.slice() }));
    const selfMaskShares = survivors.map((v) => ({ of: v, share: held.get(v)!.selfMaskShare.slice() }));
    wipe(this.secrets);
    return { state: new ClientCompleted(this.id), reply: { type: 'unmasking', sessionId: sid, from: this.id, maskKeyShares, selfMaskShares } };
  }
}
