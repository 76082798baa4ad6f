/**
 * Eq. 4: a patient's n ordered slices form |S| = max(1, ⌊n / l_s⌋) disjoint sections of l_s
 * consecutive slices; the remainder (n mod l_s) joins the last section. Pure.
 */
export interface Section {
  start: number;
  /** exclusive */
  end: number;
}

export function sections(n: number, ls: number): Section[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`sections: a patient needs at least one slice (n=${n})`);
  if (!Number.isInteger(ls) || ls < 1) throw new Error(`sections: section length l_s=${ls} must be a positive integer`);
  const count = Math.max(1, Math.floor(n / ls));
  const out: Section[] = [];
  for (let i = 0; i < count; i++) out.push({ start: i * ls, end: i === count - 1 ? n : (i + 1) * ls });
  return out;
}

/** k of Eq. 6 for a section: the configured k capped by the section's size. */
export function sectionK(section: Section, k: number): number {
  return Math.min(k, section.end - section.start);
}
