import * as tf from '@tensorflow/tfjs';

// Tests run on several backends in Node; tfjs's "install tfjs-node" banner is noise there.
tf.env().set('IS_TEST', true);
