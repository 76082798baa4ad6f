/** Single-channel preprocessed slices → the network's input channels (grey replicated, as for ImageNet stems). */
export function toChannels(grey: Float32Array, channels: number): Float32Array {
  if (channels === 1) return grey;
  const out = new Float32Array(grey.length * channels);
  for (let i = 0; i < grey.length; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = grey[i];
  return out;
}
