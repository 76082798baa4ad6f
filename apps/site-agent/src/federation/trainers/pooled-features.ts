/**
 * Pooled backbone features for the consortium t-SNE: the last backbone stage F of the model,
 * global-average-pooled over its H′×W′ positions (one C-vector per slice), in inference mode
 * (batch-norm running statistics). The backbone view shares the model's weight variables, so it
 * always computes with the weights last written into the model.
 */
import * as tf from '@tensorflow/tfjs';
import { backboneOf, rng } from '@unbox/models';
import { shuffled, yieldToEventLoop } from './local-step.js';

export class PooledFeatures {
  private backbone: tf.LayersModel | null = null;

  constructor(private readonly model: tf.LayersModel) {}

  /** GAP(F) of each of the `n` slices in `x` (n × size × size × channels), `batch` slices at a time. */
  async perSlice(x: Float32Array, n: number, size: number, channels: number, batch = 16): Promise<Float32Array[]> {
    this.backbone ??= backboneOf(this.model);
    const per = size * size * channels;
    const out: Float32Array[] = [];
    for (let s = 0; s < n; s += batch) {
      const count = Math.min(batch, n - s);
      const pooled = tf.tidy(() => {
        const f = this.backbone!.predict(tf.tensor4d(x.subarray(s * per, (s + count) * per), [count, size, size, channels])) as tf.Tensor4D;
        return tf.mean(f, [1, 2]) as tf.Tensor2D;
      });
      const [, c] = pooled.shape;
      const v = (await pooled.data()) as Float32Array;
      pooled.dispose();
      for (let i = 0; i < count; i++) out.push(v.slice(i * c, (i + 1) * c));
      await yieldToEventLoop();
    }
    return out;
  }

  /** One vector per patient: the mean of its slices' pooled features (= GAP over all its slices' F). */
  async perPatient(x: Float32Array, slices: number, size: number, channels: number): Promise<Float32Array> {
    const rows = await this.perSlice(x, slices, size, channels);
    const m = new Float32Array(rows[0].length);
    for (const r of rows) for (let j = 0; j < m.length; j++) m[j] += r[j] / rows.length;
    return m;
  }
}

/** A fixed, seeded choice of at most `max` of `n` indices, in shuffled order (the same points every round). */
export function fixedSample(n: number, max: number, seed: number): number[] {
  return shuffled(n, rng(seed)).slice(0, Math.min(max, n));
}
