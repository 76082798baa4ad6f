/**
 * Key generation under garbage-collection pressure, in a child process (a hang there fails this
 * test instead of freezing the runner). On Node 20, keys made by generateKeyPairSync and exported
 * as JWK deadlock the main thread within a few thousand keys (keys.ts says why); a site agent
 * makes two X25519 pairs every round.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const keys = fileURLToPath(new URL('./keys.ts', import.meta.url));

describe('key generation under GC pressure', () => {
  it('makes 30 000 X25519 pairs and 2 000 identities without hanging, every pair agreeing', () => {
    const script = `
      const { generateX25519, generateIdentity, agree, sign, verify } = await import(${JSON.stringify(keys)});
      const junk = [];
      let a = generateX25519();
      for (let i = 0; i < 30000; i++) {
        const b = generateX25519();
        if (i % 1000 === 0 && Buffer.compare(agree(a.secretKey, b.publicKey), agree(b.secretKey, a.publicKey)) !== 0) throw new Error('agreement differs at ' + i);
        if (i % 15 === 0) { const id = generateIdentity('s'); if (!verify(id.publicKey, b.publicKey, sign(id.secretKey, b.publicKey))) throw new Error('signature at ' + i); }
        junk.push(new Array(50).fill(b.publicKey)); if (junk.length > 1000) junk.length = 0;
        a = b;
      }
      console.log('done');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.error?.message ?? r.stderr.trim(), 'hung or failed').toBe('');
    expect([r.status, r.stdout.trim()]).toEqual([0, 'done']);
  }, 90_000);
});
