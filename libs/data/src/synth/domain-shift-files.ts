/**
 * Domain shift measured from what sites hold on disk: the scans their manifests list, read with the
 * same readers training uses. Works for real site data as for the phantoms (whose generator reports
 * the same numbers in domain-shift.json). An unreadable scan is skipped with its reason.
 */
import { loadManifest } from '../manifest/load.js';
import type { Modality, Task } from '../manifest/schema.js';
import { readVolume } from '../read.js';
import type { Volume } from '../volume.js';
import { domainShift, Histogram, type CentreHistograms, type DomainShiftReport } from './domain-shift.js';

export interface ShiftFromFilesOptions {
  /** only rows of this task / modality */
  task?: Task;
  modality?: Modality;
  /** histogram [lo, hi, bins] in the scans' values (HU for CT) */
  hist: [number, number, number];
  read?: (path: string) => Promise<Volume>;
}

export interface ShiftFromFiles extends DomainShiftReport {
  /** scans used per centre, order of `centres` */
  scans: number[];
  skipped: { manifest: string; patient: string; reason: string }[];
}

export async function domainShiftFromManifests(manifests: readonly string[], opts: ShiftFromFilesOptions): Promise<ShiftFromFiles> {
  const read = opts.read ?? readVolume;
  const [lo, hi, bins] = opts.hist;
  const groups: CentreHistograms[] = [];
  const scans: number[] = [];
  const skipped: ShiftFromFiles['skipped'] = [];
  for (const path of manifests) {
    const m = await loadManifest(path);
    const g: CentreHistograms = { centre: m.manifest.centre, all: new Histogram(lo, hi, bins), halves: [new Histogram(lo, hi, bins), new Histogram(lo, hi, bins)] };
    let n = 0;
    for (const { entry } of m.entries) {
      if ((opts.task && entry.task !== opts.task) || (opts.modality && entry.modality !== opts.modality)) continue;
      let v: Volume;
      try {
        v = await read(entry.paths[0]);
      } catch (e) {
        skipped.push({ manifest: m.manifest.path, patient: entry.patient, reason: (e as Error).message });
        continue;
      }
      g.all.add(v.data);
      g.halves[n++ % 2].add(v.data);
    }
    groups.push(g);
    scans.push(n);
  }
  return { ...domainShift(groups), scans, skipped };
}
