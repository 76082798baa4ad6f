/** The SP(·) operator of Eq. 13 as a serialisable tfjs layer (depth-to-space by factor r). */
import * as tf from '@tensorflow/tfjs';
import { depthToSpace } from '../ops/depth-to-space.js';

export class DepthToSpace extends tf.layers.Layer {
  static className = 'UnboxDepthToSpace';
  readonly r: number;

  constructor(args: { r: number; name?: string }) {
    super({ name: args.name });
    this.r = args.r;
  }

  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, h, w, d] = s as tf.Shape;
    const r = this.r;
    return [b, h === null ? null : h * r, w === null ? null : w * r, (d as number) / (r * r)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return depthToSpace(x as tf.Tensor4D, this.r);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), r: this.r };
  }
}
tf.serialization.registerClass(DepthToSpace);
