/** Seeded PRNG (mulberry32) so batches and windows are reproducible from the recorded seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(r: () => number, n: number): number {
  return Math.floor(r() * n);
}

/**
 * A well-mixed 32-bit seed of (seed, step) (splitmix32-style finaliser), so neighbouring steps get
 * unrelated streams: the per-step augmentation draws (viewRng) and dropout masks (StepDropout).
 */
export function stepSeed(seed: number, step: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b9) + Math.imul(step + 1, 0x85ebca6b)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
