/** Row-major N×D matrices of samples (one row per sample), the input of PCA, t-SNE and the MLP. */
export interface Matrix {
  data: Float64Array | Float32Array;
  rows: number;
  cols: number;
}

/** A Matrix from an array of equally long rows; throws naming the first bad row. */
export function fromRows(rows: ArrayLike<number>[], what = 'matrix'): Matrix & { data: Float64Array } {
  if (rows.length === 0) throw new Error(`${what}: no rows`);
  const cols = rows[0].length;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new Error(`${what}: row ${i} has ${r.length} values, row 0 has ${cols}`);
    for (let j = 0; j < cols; j++) {
      if (!Number.isFinite(r[j])) throw new Error(`${what}: row ${i} column ${j} is not finite (${r[j]})`);
      data[i * cols + j] = r[j];
    }
  });
  return { data, rows: rows.length, cols };
}

/** Throws a clear error when the matrix shape or values are invalid. */
export function checkMatrix(m: Matrix, what = 'matrix'): void {
  if (!(Number.isInteger(m.rows) && Number.isInteger(m.cols) && m.rows >= 1 && m.cols >= 1))
    throw new Error(`${what}: shape must be positive integers (got ${m.rows}×${m.cols})`);
  if (m.data.length !== m.rows * m.cols) throw new Error(`${what}: has ${m.data.length} values, expected ${m.rows}×${m.cols}`);
  for (let i = 0; i < m.data.length; i++)
    if (!Number.isFinite(m.data[i])) throw new Error(`${what}: row ${Math.floor(i / m.cols)} column ${i % m.cols} is not finite`);
}

/** Squared Euclidean distance between rows i and j. */
export function sqDist(m: Matrix, i: number, j: number): number {
  const { data, cols } = m;
  let s = 0;
  const a = i * cols;
  const b = j * cols;
  for (let k = 0; k < cols; k++) {
    const d = data[a + k] - data[b + k];
    s += d * d;
  }
  return s;
}
