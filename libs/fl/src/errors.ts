/** A federated-learning input that cannot be used (mismatched tensors, bad weights, bad rules). */
export class FlError extends Error {
  override readonly name = 'FlError';
}
