import * as tf from '@tensorflow/tfjs';

// Tests run on several backends in Node; tfjs's "install tfjs-node" banner is noise there.
// (IS_TEST would also silence it but turns on a kernel leak check that misfires on wasm fusedConv2d.)
tf.env().set('PROD', true);
