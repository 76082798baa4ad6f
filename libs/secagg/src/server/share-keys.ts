/** Server, round 1 (ShareKeys): collect the encrypted shares and route each to its recipient. */
import { bytesEqual } from '../bytes.js';
import { SecAggError } from '../errors.js';
import type { AdvertisedKeys, EncryptedShare, MaskedInputRequest, ShareKeys } from '../messages.js';
import { sessionId } from '../session.js';
import { ServerStateBase, type ServerShared } from './base.js';
import { ServerMaskedInputCollection } from './masked-input.js';

export class ServerShareKeys extends ServerStateBase<'share-keys'> {
  readonly stage = 'share-keys';
  protected readonly accepts = 'share-keys';
  protected readonly expected: ReadonlySet<string>;
  readonly sessionId: Uint8Array;
  private readonly shares = new Map<string, EncryptedShare[]>();
  private readonly commitments = new Map<string, Uint8Array>();

  constructor(
    shared: ServerShared,
    private readonly advertised: AdvertisedKeys[],
  ) {
    super(shared);
    this.expected = new Set(advertised.map((a) => a.id));
    this.sessionId = sessionId(shared.info, advertised);
  }

  protected onMessage(m: ShareKeys): void {
    if (!bytesEqual(m.sessionId, this.sessionId)) throw new SecAggError('replay', `share-keys of ${m.from} belongs to another session`);
    const to = new Set<string>();
    for (const e of m.shares) {
      if (e.from !== m.from) throw new SecAggError('malformed-message', `${m.from} sent a share labelled as from ${e.from}`);
      if (e.to === m.from || !this.expected.has(e.to)) throw new SecAggError('unknown-site', `${m.from} addressed a share to ${e.to}`);
      if (to.has(e.to)) throw new SecAggError('duplicate', `${m.from} sent two shares to ${e.to}`);
      to.add(e.to);
    }
    if (to.size !== this.expected.size - 1) throw new SecAggError('malformed-message', `${m.from} sent ${to.size} shares for ${this.expected.size - 1} peers`);
    this.shares.set(m.from, m.shares);
    this.commitments.set(m.from, m.selfMaskCommitment);
  }

  /** Each survivor gets the ciphertexts the other survivors addressed to it. */
  close(): { state: ServerMaskedInputCollection; messages: Map<string, MaskedInputRequest> } {
    const u2 = this.survivors();
    const inbox = new Map<string, EncryptedShare[]>(u2.map((v) => [v, []]));
    for (const u of u2) for (const e of this.shares.get(u)!) inbox.get(e.to)?.push(e);
    const messages = new Map<string, MaskedInputRequest>(u2.map((v) => [v, { type: 'masked-input-request', sessionId: this.sessionId, shares: inbox.get(v)! }]));
    const commitments = new Map(u2.map((v) => [v, this.commitments.get(v)!]));
    return { state: new ServerMaskedInputCollection(this.shared, { sid: this.sessionId, advertised: this.advertised, u2, commitments }), messages };
  }
}
