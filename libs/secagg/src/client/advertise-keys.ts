/** Client, round 0 (AdvertiseKeys): check the round against what the site knows, then advertise fresh signed X25519 keys. */
import { bytesEqual } from '../bytes.js';
import { validateThreshold } from '../config.js';
import { generateX25519, sign } from '../keys.js';
import type { AdvertiseKeysRequest } from '../messages.js';
import { quantise, type RandomWords } from '../quantize.js';
import { advertisePayload, rosterIndex, type RoundInfo } from '../session.js';
import { ClientStateBase, fail, type ClientSetup, type ClientStep, type Secrets } from './base.js';
import { ClientShareKeys } from './share-keys.js';

export class ClientAdvertiseKeys extends ClientStateBase<'advertise-keys-request'> {
  readonly stage = 'advertise-keys';
  protected readonly accepts = 'advertise-keys-request';
  protected readonly sessionId = undefined;
  protected readonly secrets: Secrets;
  protected readonly id: string;
  private readonly input: Uint32Array;

  /** `update`/`weight` are quantised now, so a bad update fails before anything is sent. */
  constructor(
    private readonly setup: ClientSetup,
    update: ArrayLike<number>,
    weight: number,
    random?: RandomWords,
  ) {
    super();
    this.id = setup.identity.id;
    this.input = quantise(update, weight, setup.params, random);
    this.secrets = [this.input];
  }

  protected onMessage(m: AdvertiseKeysRequest): ClientStep {
    const s = this.setup;
    if (m.run !== s.run) fail('replay', `request is for run ${m.run}, this site is in run ${s.run}`);
    if (m.round !== s.round) fail('replay', `request is for round ${m.round}, this site is in round ${s.round}`);
    if (s.lastRound !== undefined && m.round <= s.lastRound) fail('replay', `round ${m.round} was already aggregated (last ${s.lastRound})`);
    if (!bytesEqual(m.modelHash, s.modelHash)) fail('model-hash-changed', 'the round names a model hash other than the model this site trained on');
    const seen = new Set<string>();
    for (const r of m.roster) {
      if (seen.has(r.id)) fail('duplicate', `site ${r.id} twice on the roster`);
      seen.add(r.id);
      const enrolled = s.directory.get(r.id);
      if (!enrolled || !bytesEqual(enrolled, r.signingKey)) fail('unknown-site', `roster entry ${r.id} is not an enrolled site with that key`);
    }
    if (!seen.has(this.id)) fail('unknown-site', `this site (${this.id}) is not on the roster`);
    if (m.roster.length > s.params.maxSites) fail('invalid-parameters', `roster of ${m.roster.length} exceeds maxSites ${s.params.maxSites} (overflow bound)`);
    validateThreshold(m.threshold, m.roster.length);

    const info: RoundInfo = { run: m.run, round: m.round, modelHash: m.modelHash, threshold: m.threshold, roster: m.roster, params: s.params };
    const c = generateX25519();
    const sk = generateX25519();
    const signature = sign(s.identity.secretKey, advertisePayload(info, this.id, c.publicKey, sk.publicKey));
    const next = new ClientShareKeys({ setup: s, info, idx: rosterIndex(m.roster), input: this.input, c, s: sk });
    return { state: next, reply: { type: 'advertise-keys', from: this.id, encryptionKey: c.publicKey, maskingKey: sk.publicKey, signature } };
  }
}

/** A site's client for one round, in its first state. */
export function createClient(setup: ClientSetup, update: ArrayLike<number>, weight: number, random?: RandomWords): ClientAdvertiseKeys {
  return new ClientAdvertiseKeys(setup, update, weight, random);
}
