import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvRowToObject, formatOf, ManifestError, parseManifestText, validateRow } from './parse.js';

const good = { patient: 'P001', task: 'classify', label: 'NCP', modality: 'CT', slice_thickness: 1.25, split: 'train', paths: ['ct/P001'], dims: [128, 128] };

describe('manifest parsing', () => {
  it('reads a JSON manifest into numbered rows', () => {
    const m = parseManifestText(JSON.stringify({ version: 1, centre: 'A', entries: [good, { patient: '' }] }), 'm.json');
    expect(m.format).toBe('json');
    expect(m.centre).toBe('A');
    expect(m.rows.map((r) => r.row)).toEqual([1, 2]);
  });

  it('rejects a file that is not a manifest as a whole, naming the file', () => {
    expect(() => parseManifestText('{"version": 2, "centre": "A", "entries": []}', 'site.json')).toThrow(/site\.json: not a site manifest: "version"/);
    expect(() => parseManifestText('{oops', 'site.json')).toThrow(ManifestError);
    expect(() => parseManifestText('patient,colour\n', 'x.csv', 'csv', 'A')).toThrow(/unknown column\(s\) "colour"/);
    expect(() => parseManifestText('patient,task\n', 'x.csv', 'csv', 'A')).toThrow(/missing column\(s\) "modality"/);
    expect(() => parseManifestText('', 'x.csv', 'csv', 'A')).toThrow(/empty CSV/);
  });

  it('reads CSV with a centre comment, converting numbers, path lists and ROWSxCOLUMNS dims', () => {
    const text = [
      '# centre: B',
      '# written by hand',
      'patient,task,label,modality,slice_thickness,split,paths,mask,dims',
      'P1,classify,CP,CT,5,test,a.nii;b.nii,,64x96',
      'P2,segment,,MR,1.5,train,"dir with, comma/x.nii.gz",m.nii,',
    ].join('\n');
    const m = parseManifestText(text, 'site.csv');
    expect(m.centre).toBe('B');
    expect(m.rows).toEqual([
      { row: 1, line: 4, value: { patient: 'P1', task: 'classify', label: 'CP', modality: 'CT', slice_thickness: 5, split: 'test', paths: ['a.nii', 'b.nii'], dims: [64, 96] } },
      { row: 2, line: 5, value: { patient: 'P2', task: 'segment', modality: 'MR', slice_thickness: 1.5, split: 'train', paths: ['dir with, comma/x.nii.gz'], mask: 'm.nii' } },
    ]);
    expect(parseManifestText('patient,task,modality,slice_thickness,split,paths\n', 'x.csv', 'csv', 'fallback').centre).toBe('fallback');
  });

  it('keeps unconvertible CSV cells as text so validation can name them', () => {
    expect(csvRowToObject(['slice_thickness', 'dims'], ['thick', '64 by 64'])).toEqual({ slice_thickness: 'thick', dims: '64 by 64' });
    expect(csvRowToObject(['patient'], ['P', 'extra'])).toEqual({ patient: 'P', '(extra cells)': 'extra' });
  });

  it('detects the format from the name, else the content', () => {
    expect(formatOf('a.JSON', '')).toBe('json');
    expect(formatOf('a.csv', '{')).toBe('csv');
    expect(formatOf('manifest', '  {"version":1}')).toBe('json');
    expect(formatOf('manifest', 'patient,task')).toBe('csv');
  });
});

describe('row validation', () => {
  it('resolves relative paths against the manifest folder and keeps absolute ones', () => {
    const r = validateRow({ ...good, task: 'segment', label: undefined, paths: ['ct/P001', '/data/x.nii'], mask: 'masks/P001.nii' }, '/sites/a');
    expect(r.ok && r.entry.paths).toEqual([resolve('/sites/a/ct/P001'), '/data/x.nii']);
    expect(r.ok && r.entry.mask).toBe(resolve('/sites/a/masks/P001.nii'));
  });

  it('names an unknown label with the allowed ones', () => {
    const r = validateRow({ ...good, label: 'COVID' }, '/');
    expect(r).toEqual({ ok: false, problem: { kind: 'unknown-label', reason: 'unknown label "COVID" (expected one of NCP, CP, Normal)' } });
  });

  it('names every bad field in one sentence', () => {
    const r = validateRow({ ...good, slice_thickness: 'thick', split: 'training', colour: 'red', patient: undefined }, '/');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problem.kind).toBe('bad-field');
    expect(r.problem.reason).toContain('"patient" is missing');
    expect(r.problem.reason).toContain('"slice_thickness" is "thick", expected a number');
    expect(r.problem.reason).toContain('"split" is "training", expected one of train, val, test');
    expect(r.problem.reason).toContain('unknown field(s) "colour"');
    expect(validateRow({ ...good, slice_thickness: -1 }, '/')).toMatchObject({ ok: false, problem: { reason: expect.stringContaining('slice thickness must be > 0 mm') } });
    expect(validateRow({ ...good, dims: '64 by 64' }, '/')).toMatchObject({ ok: false, problem: { reason: expect.stringContaining('ROWSxCOLUMNS') } });
    expect(validateRow({ ...good, task: 'segment' }, '/')).toMatchObject({ ok: false, problem: { kind: 'bad-field', reason: '"label": only classify entries have a label; segmentation entries use "mask"' } });
    expect(validateRow({ ...good, mask: 'm.nii' }, '/')).toMatchObject({ ok: false, problem: { reason: '"mask": only segment entries have a mask' } });
    expect(validateRow(42, '/')).toMatchObject({ ok: false, problem: { reason: 'entry is 42, not an object with fields' } });
  });
});
