import { describe, expect, it } from 'vitest';
import { fromHex, hex } from './bytes.js';
import { agree, generateIdentity, generateX25519, isLowOrder, sign, verify, x25519PublicKey } from './keys.js';

describe('X25519', () => {
  it('matches RFC 7748 §6.1', () => {
    const a = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const b = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    expect(hex(x25519PublicKey(a))).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(hex(x25519PublicKey(b))).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const k = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(hex(agree(a, x25519PublicKey(b)))).toBe(k);
    expect(hex(agree(b, x25519PublicKey(a)))).toBe(k);
  });

  it('refuses every small-order point (each really gives an all-zero secret)', () => {
    const low = [
      '0000000000000000000000000000000000000000000000000000000000000000',
      '0100000000000000000000000000000000000000000000000000000000000000',
      'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
      '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880', // top bit set: same point
    ].map(fromHex);
    const me = generateX25519();
    for (const p of low) {
      expect(isLowOrder(p)).toBe(true);
      expect(() => agree(me.secretKey, p)).toThrow(/low-order-key/);
    }
    expect(isLowOrder(generateX25519().publicKey)).toBe(false);
  });
});

describe('Ed25519', () => {
  it('matches RFC 8032 §7.1 test 1 (empty message)', () => {
    const sk = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const sig = sign(sk, new Uint8Array(0));
    expect(hex(sig)).toBe('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b');
    expect(verify(fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'), new Uint8Array(0), sig)).toBe(true);
  });

  it('verifies only the signed bytes under the signer’s key', () => {
    const a = generateIdentity('A');
    const b = generateIdentity('B');
    const msg = new TextEncoder().encode('survivors');
    const sig = sign(a.secretKey, msg);
    expect(verify(a.publicKey, msg, sig)).toBe(true);
    expect(verify(b.publicKey, msg, sig)).toBe(false);
    expect(verify(a.publicKey, new TextEncoder().encode('survivorz'), sig)).toBe(false);
    expect(verify(a.publicKey, msg, sig.subarray(0, 63))).toBe(false);
  });
});
