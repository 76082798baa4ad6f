/**
 * Ground-truth indexes (`ground-truth.json` of the synthetic consortium) for evaluation only:
 * per-slice lesion labels for image-level metrics and thin-slice label maps for thin-slice Dice.
 * Training never reads them (the thin scans stay unlabelled, as at a real site).
 */
import { groundTruthPath, loadGroundTruthIndex, type ChestTruth } from '@unbox/data';

export interface Truth {
  chest: Map<string, Map<string, ChestTruth>>;
  /** centre → patient → absolute path of the ventricle label map */
  brainMasks: Map<string, Map<string, string>>;
}

export async function loadTruth(paths: readonly string[]): Promise<Truth> {
  const truth: Truth = { chest: new Map(), brainMasks: new Map() };
  for (const p of paths) {
    const index = await loadGroundTruthIndex(p);
    const chest = truth.chest.get(index.centre) ?? new Map<string, ChestTruth>();
    for (const c of index.chest) chest.set(c.patient, c);
    truth.chest.set(index.centre, chest);
    const brain = truth.brainMasks.get(index.centre) ?? new Map<string, string>();
    for (const b of index.brain) brain.set(b.patient, groundTruthPath(index, b.mask));
    truth.brainMasks.set(index.centre, brain);
  }
  return truth;
}
