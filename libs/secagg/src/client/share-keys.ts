/** Client, round 1 (ShareKeys): verify every advertised key, then Shamir-share s^SK and b to each peer, encrypted. */
import { randomBytes } from 'node:crypto';
import { bytesEqual } from '../bytes.js';
import { isLowOrder, verify, type X25519KeyPair } from '../keys.js';
import type { AdvertisedKeys, EncryptedShare, ShareKeysRequest } from '../messages.js';
import { advertisePayload, encryptShare, selfMaskCommitment, sessionId, sortByRoster, type RoundInfo } from '../session.js';
import { split } from '../shamir.js';
import { ClientStateBase, fail, type ClientSetup, type ClientStep, type Secrets } from './base.js';
import { ClientMaskedInputCollection } from './masked-input.js';

export interface ShareKeysData {
  setup: ClientSetup;
  info: RoundInfo;
  idx: Map<string, number>;
  input: Uint32Array;
  /** c: encrypts shares; s: agrees pairwise masks */
  c: X25519KeyPair;
  s: X25519KeyPair;
}

export class ClientShareKeys extends ClientStateBase<'share-keys-request'> {
  readonly stage = 'share-keys';
  protected readonly accepts = 'share-keys-request';
  protected readonly sessionId = undefined;
  protected readonly secrets: Secrets;
  protected readonly id: string;

  constructor(private readonly d: ShareKeysData) {
    super();
    this.id = d.setup.identity.id;
    this.secrets = [d.input, d.c.secretKey, d.s.secretKey];
  }

  protected onMessage(m: ShareKeysRequest): ClientStep {
    const { info, idx, setup } = this.d;
    if (m.run !== info.run || m.round !== info.round) fail('replay', `keys of run ${m.run} round ${m.round}, this round is ${info.run}/${info.round}`);
    if (!bytesEqual(m.modelHash, info.modelHash)) fail('model-hash-changed', 'the model hash changed between AdvertiseKeys and ShareKeys');
    const u1 = new Map<string, AdvertisedKeys>();
    const keys = new Set<string>();
    for (const a of m.advertised) {
      if (!idx.has(a.id)) fail('unknown-site', `advertised keys from ${a.id}, not on the roster`);
      if (u1.has(a.id)) fail('duplicate', `two advertisements from ${a.id}`);
      if (!verify(setup.directory.get(a.id)!, advertisePayload(info, a.id, a.encryptionKey, a.maskingKey), a.signature))
        fail('bad-signature', `advertised keys of ${a.id} are not signed by its enrolled identity for this run, round and model`);
      if (isLowOrder(a.encryptionKey) || isLowOrder(a.maskingKey)) fail('low-order-key', `${a.id} advertised a small-order X25519 key`);
      for (const k of [a.encryptionKey, a.maskingKey]) {
        const h = Buffer.from(k).toString('hex');
        if (keys.has(h)) fail('duplicate', `X25519 key of ${a.id} is also advertised by another site`);
        keys.add(h);
      }
      u1.set(a.id, a);
    }
    const mine = u1.get(this.id);
    if (!mine || !bytesEqual(mine.encryptionKey, this.d.c.publicKey) || !bytesEqual(mine.maskingKey, this.d.s.publicKey))
      fail('inconsistent-survivors', 'the advertised key list does not carry this site’s own keys');
    if (u1.size < info.threshold) fail('below-threshold', `${u1.size} sites advertised keys, threshold ${info.threshold}`);

    const sid = sessionId(info, m.advertised);
    const members = sortByRoster(u1.keys(), idx);
    const xs = members.map((v) => idx.get(v)! + 1);
    const b = new Uint8Array(randomBytes(32));
    const maskKeyShares = split(this.d.s.secretKey, info.threshold, xs);
    const selfMaskShares = split(b, info.threshold, xs);
    const shares: EncryptedShare[] = [];
    let own: { maskKeyShare: Uint8Array; selfMaskShare: Uint8Array } | undefined;
    members.forEach((v, j) => {
      const plain = { maskKeyShare: maskKeyShares[j].y, selfMaskShare: selfMaskShares[j].y };
      if (v === this.id) own = plain;
      else shares.push(encryptShare(this.d.c.secretKey, u1.get(v)!.encryptionKey, sid, this.id, v, idx, plain));
    });
    members.forEach((v, j) => v !== this.id && (maskKeyShares[j].y.fill(0), selfMaskShares[j].y.fill(0)));
    const next = new ClientMaskedInputCollection({ ...this.d, sid, u1, b, own: own! });
    return { state: next, reply: { type: 'share-keys', sessionId: sid, from: this.id, selfMaskCommitment: selfMaskCommitment(b, sid, this.id), shares } };
  }
}
