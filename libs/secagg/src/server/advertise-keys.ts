/** Server, round 0 (AdvertiseKeys): collect each site's signed X25519 keys, then broadcast them all. */
import { SecAggError } from '../errors.js';
import { isLowOrder, verify } from '../keys.js';
import type { AdvertiseKeys, AdvertiseKeysRequest, AdvertisedKeys, ShareKeysRequest } from '../messages.js';
import { advertisePayload } from '../session.js';
import { ServerStateBase, serverShared, type ServerSetup } from './base.js';
import { ServerShareKeys } from './share-keys.js';

export class ServerAdvertiseKeys extends ServerStateBase<'advertise-keys'> {
  readonly stage = 'advertise-keys';
  protected readonly accepts = 'advertise-keys';
  protected readonly expected: ReadonlySet<string>;
  private readonly advertised = new Map<string, AdvertisedKeys>();

  constructor(setup: ServerSetup) {
    super(serverShared(setup));
    this.expected = new Set(setup.roster.map((r) => r.id));
  }

  /** The request that opens the round, sent to every site on the roster. */
  request(): AdvertiseKeysRequest {
    const { info } = this.shared;
    return { type: 'advertise-keys-request', run: info.run, round: info.round, modelHash: info.modelHash, threshold: info.threshold, roster: [...info.roster] };
  }

  protected onMessage(m: AdvertiseKeys): void {
    if (!verify(this.shared.directory.get(m.from)!, advertisePayload(this.shared.info, m.from, m.encryptionKey, m.maskingKey), m.signature))
      throw new SecAggError('bad-signature', `advertised keys of ${m.from} do not carry its enrolled signature`);
    if (isLowOrder(m.encryptionKey) || isLowOrder(m.maskingKey)) throw new SecAggError('low-order-key', `${m.from} advertised a small-order X25519 key`);
    this.advertised.set(m.from, { id: m.from, encryptionKey: m.encryptionKey, maskingKey: m.maskingKey, signature: m.signature });
  }

  close(): { state: ServerShareKeys; broadcast: ShareKeysRequest } {
    const u1 = this.survivors();
    const { info } = this.shared;
    const advertised = u1.map((v) => this.advertised.get(v)!);
    return {
      state: new ServerShareKeys(this.shared, advertised),
      broadcast: { type: 'share-keys-request', run: info.run, round: info.round, modelHash: info.modelHash, advertised },
    };
  }
}
