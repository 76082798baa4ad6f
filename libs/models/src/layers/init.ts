/**
 * Seeded weight initialisers: every layer gets its own seed from one run seed, so a model built
 * with the recorded seed starts from the same weights (tfjs initialisers otherwise use Math.random).
 */
import * as tf from '@tensorflow/tfjs';

type Initializer = ReturnType<typeof tf.initializers.heNormal>;

export class Seeds {
  private n = 0;
  constructor(private readonly seed: number | undefined) {}

  private next(): number | undefined {
    return this.seed === undefined ? undefined : (this.seed * 1_000_003 + ++this.n) % 2_147_483_647;
  }

  he(): Initializer {
    return tf.initializers.heNormal({ seed: this.next() });
  }

  glorot(): Initializer {
    return tf.initializers.glorotUniform({ seed: this.next() });
  }
}
