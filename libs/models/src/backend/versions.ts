import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';

export interface Versions {
  unbox: string;
  tfjs: string;
  node: string;
}

let unboxVersion: string | null = null;

/** Versions recorded in every result file (notes/result-formats.md: unbox, tfjs, node). */
export function versions(): Versions {
  if (unboxVersion === null) {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    unboxVersion = pkg.version ?? 'unknown';
  }
  return { unbox: unboxVersion, tfjs: tf.version.tfjs, node: process.versions.node };
}
