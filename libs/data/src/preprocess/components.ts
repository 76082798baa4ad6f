/** Connected-component labelling and hole filling on binary masks (rows x columns, 0/1 bytes). */

export interface Components {
  /** per pixel: 0 = background, 1..count = component id. */
  labels: Int32Array;
  count: number;
  /** sizes[id] in pixels (index 0 unused). */
  sizes: number[];
  /** touchesBorder[id]: the component reaches the image edge (index 0 unused). */
  touchesBorder: boolean[];
}

/**
 * Label the 4- or 8-connected components of the pixels where mask != 0, by flood fill with an
 * explicit stack (no recursion, so large lungs cannot overflow the call stack).
 */
export function labelComponents(mask: Uint8Array, rows: number, columns: number, connectivity: 4 | 8 = 4): Components {
  if (mask.length !== rows * columns) throw new RangeError(`mask has ${mask.length} pixels, expected ${rows}x${columns}`);
  const labels = new Int32Array(rows * columns);
  const stack = new Int32Array(rows * columns);
  const sizes = [0];
  const touchesBorder = [false];
  const dr = connectivity === 8 ? [-1, -1, -1, 0, 0, 1, 1, 1] : [-1, 0, 0, 1];
  const dc = connectivity === 8 ? [-1, 0, 1, -1, 1, -1, 0, 1] : [0, -1, 1, 0];
  let count = 0;
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] === 0 || labels[start] !== 0) continue;
    const id = ++count;
    let size = 0;
    let border = false;
    let top = 0;
    stack[top++] = start;
    labels[start] = id;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const r = Math.floor(p / columns);
      const c = p - r * columns;
      if (r === 0 || c === 0 || r === rows - 1 || c === columns - 1) border = true;
      for (let k = 0; k < dr.length; k++) {
        const rr = r + dr[k];
        const cc = c + dc[k];
        if (rr < 0 || cc < 0 || rr >= rows || cc >= columns) continue;
        const q = rr * columns + cc;
        if (mask[q] !== 0 && labels[q] === 0) {
          labels[q] = id;
          stack[top++] = q;
        }
      }
    }
    sizes.push(size);
    touchesBorder.push(border);
  }
  return { labels, count, sizes, touchesBorder };
}

/**
 * Fill holes: background regions not connected to the image border become foreground. Background
 * connectivity is 4 so that it is the dual of 8-connected foreground (and vice versa, as scipy's
 * binary_fill_holes with its default structure uses 4 for the background).
 */
export function fillHoles(mask: Uint8Array, rows: number, columns: number): Uint8Array {
  const inverse = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) inverse[i] = mask[i] === 0 ? 1 : 0;
  const bg = labelComponents(inverse, rows, columns, 4);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    const id = bg.labels[i];
    out[i] = mask[i] !== 0 || (id !== 0 && !bg.touchesBorder[id]) ? 1 : 0;
  }
  return out;
}
