/**
 * The SP(·) rearrangement of Eq. 13 (sub-pixel convolution), NHWC: input channel
 * (i·r + j)·C + c at (h, w) goes to output (h·r + i, w·r + j, c) — the same arrangement as
 * tf.depthToSpace, which has no gradient in tfjs 4.22. Reshape/transpose only, so it differentiates.
 */
import * as tf from '@tensorflow/tfjs';

export function depthToSpace(x: tf.Tensor4D, r: number): tf.Tensor4D {
  const [b, h, w, d] = x.shape;
  if (!Number.isInteger(r) || r < 1 || d % (r * r) !== 0) {
    throw new Error(`depthToSpace: depth ${d} must be divisible by r²=${r * r}`);
  }
  const c = d / (r * r);
  // [b,h,w,i,j,c] -> [b,h,i,w,j,c]; done as two 5-D views so every backend's transpose handles it.
  return tf.tidy(() => {
    const x5 = x.reshape([b * h, w, r, r * c]).transpose([0, 2, 1, 3]); // [bh, i, w, j·c]
    return x5.reshape([b, h * r, w * r, c]) as tf.Tensor4D;
  });
}
