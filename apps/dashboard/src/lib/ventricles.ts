/**
 * The segmentation overlay per ventricle: which classes the clinician hid, remembered for the
 * patient being viewed, and hiding them in the segmenter's RGBA class map. Pure.
 */

/** The hidden classes and the patient view (task and patient) they were chosen in. */
export interface VentricleChoice {
  view: string | null;
  hidden: ReadonlySet<number>;
}

const NONE: ReadonlySet<number> = new Set();
export const NO_CHOICE: VentricleChoice = { view: null, hidden: NONE };

/** The key of one patient view: a choice is kept while it stays the same, dropped when another patient (or task) is chosen. */
export function patientView(task: string, patient: string): string {
  return `${task}/${patient}`;
}

/**
 * The classes hidden in `view`: the choice made there, none when the choice belongs to another
 * view. Returns the stored set itself (or one shared empty set), so its identity changes only
 * when the choice does and the overlay is not redrawn on every render.
 */
export function hiddenIn(choice: VentricleChoice, view: string | null): ReadonlySet<number> {
  return view !== null && choice.view === view ? choice.hidden : NONE;
}

/** `cls` shown (true) or hidden (false) in `view`; a choice made in another view is dropped first. */
export function setShown(choice: VentricleChoice, view: string, cls: number, shown: boolean): VentricleChoice {
  const hidden = new Set(hiddenIn(choice, view));
  if (shown) hidden.delete(cls);
  else hidden.add(cls);
  return { view, hidden };
}

/**
 * Makes transparent (in place) every RGBA pixel whose colour is one of `hidden` (legend colours of
 * hidden classes). A canvas keeps colours premultiplied by alpha in 8 bits, so a legend colour of
 * alpha a comes back from getImageData off by up to about 255 / (2a) per channel (230,25,75 at
 * alpha 160 reads 230,26,75): channels match within ⌈255 / a⌉, far below the legend colours' spacing.
 */
export function hideClasses(rgba: Uint8ClampedArray | Uint8Array, hidden: readonly (readonly [number, number, number, number])[]): void {
  if (!hidden.length) return;
  for (let p = 0; p < rgba.length; p += 4) {
    const a = rgba[p + 3];
    if (a === 0) continue;
    const tol = Math.ceil(255 / a);
    if (hidden.some(([r, g, b]) => Math.abs(rgba[p] - r) <= tol && Math.abs(rgba[p + 1] - g) <= tol && Math.abs(rgba[p + 2] - b) <= tol)) rgba[p + 3] = 0;
  }
}
