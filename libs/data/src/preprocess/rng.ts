/**
 * A small seeded PRNG so every random augmentation is reproducible from one integer seed.
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, as in PractRand), its 128-bit
 * state filled from the seed by splitmix32; passes PractRand/BigCrush, unlike Math.random it can be seeded.
 */
export interface Rng {
  /** uniform in [0, 1), 32 random bits. */
  next(): number;
  /** uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** integer uniform in [lo, hi) (hi exclusive, like torch.randint). */
  int(lo: number, hi: number): number;
  /** true with probability p. */
  bernoulli(p: number): boolean;
  /** an independent generator derived from this one (e.g. one per patient). */
  fork(): Rng;
}

/** splitmix32 step: a well-mixed 32-bit value per call (used only to seed sfc32). */
export function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const sm = { s: seed | 0 };
  let a = splitmix32(sm);
  let b = splitmix32(sm);
  let c = splitmix32(sm);
  let d = splitmix32(sm);
  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32's author recommends 12 rounds to decorrelate similar seeds.
  for (let i = 0; i < 12; i++) nextU32();
  const rng: Rng = {
    next: () => nextU32() / 4294967296,
    uniform: (lo, hi) => lo + (hi - lo) * rng.next(),
    int: (lo, hi) => {
      if (!(hi > lo)) throw new RangeError(`empty integer range [${lo}, ${hi})`);
      return lo + Math.floor(rng.next() * (hi - lo));
    },
    bernoulli: (p) => rng.next() < p,
    fork: () => createRng(nextU32() | 0),
  };
  return rng;
}
