/** Client, round 2 (MaskedInputCollection): open the shares addressed to this site, then send y = x + PRG(b) ± Σ PRG(s_uv). */
import { addMask } from '../prg.js';
import type { AdvertisedKeys, MaskedInputRequest } from '../messages.js';
import { bytesEqual } from '../bytes.js';
import { decryptShare, pairwiseSeed, selfMaskSeed, type SharePlain } from '../session.js';
import { ClientStateBase, fail, type ClientStep, type Secrets } from './base.js';
import { ClientConsistencyCheck } from './consistency-check.js';
import type { ShareKeysData } from './share-keys.js';

export interface MaskedInputData extends ShareKeysData {
  sid: Uint8Array;
  u1: Map<string, AdvertisedKeys>;
  /** self-mask seed */
  b: Uint8Array;
  /** this site's own shares of its own secrets */
  own: SharePlain;
}

export class ClientMaskedInputCollection extends ClientStateBase<'masked-input-request'> {
  readonly stage = 'masked-input-collection';
  protected readonly accepts = 'masked-input-request';
  protected readonly secrets: Secrets;
  protected readonly id: string;
  protected readonly sessionId: Uint8Array;

  constructor(private readonly d: MaskedInputData) {
    super();
    this.id = d.setup.identity.id;
    this.sessionId = d.sid;
    this.secrets = [d.input, d.c.secretKey, d.s.secretKey, d.b, d.own.maskKeyShare, d.own.selfMaskShare];
  }

  protected onMessage(m: MaskedInputRequest): ClientStep {
    const { sid, u1, idx, info } = this.d;
    if (!bytesEqual(m.sessionId, sid)) fail('replay', 'masked-input request of another session');
    const held = new Map<string, SharePlain>([[this.id, this.d.own]]);
    for (const e of m.shares) {
      if (e.to !== this.id) fail('malformed-message', `share addressed to ${e.to} delivered to ${this.id}`);
      if (e.from === this.id || !u1.has(e.from)) fail('unknown-site', `share from ${e.from}, who did not advertise keys`);
      if (held.has(e.from)) fail('duplicate', `two shares from ${e.from}`);
      const plain = decryptShare(this.d.c.secretKey, u1.get(e.from)!.encryptionKey, sid, this.id, e, idx);
      held.set(e.from, plain);
      this.secrets.push(plain.maskKeyShare, plain.selfMaskShare);
    }
    if (held.size < info.threshold) fail('below-threshold', `${held.size} sites shared keys, threshold ${info.threshold}`);

    const y = this.d.input.slice();
    const alg = info.params.prg;
    addMask(y, selfMaskSeed(this.d.b, sid, this.id), alg, 1);
    const me = idx.get(this.id)!;
    for (const v of held.keys()) {
      if (v === this.id) continue;
      const seed = pairwiseSeed(this.d.s.secretKey, u1.get(v)!.maskingKey, sid, this.id, v, idx);
      addMask(y, seed, alg, me < idx.get(v)! ? 1 : -1);
      seed.fill(0);
    }
    const next = new ClientConsistencyCheck({ ...this.d, u2: new Set(held.keys()), held, secrets: this.secrets });
    return { state: next, reply: { type: 'masked-input', sessionId: sid, from: this.id, masked: y } };
  }
}
