/** `unbox-site data inspect <file-or-folder> [--json] [--raw <out.f32>]` */
import { open, rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { describeTransferSyntax, readVolume, summarize, type Summary, type Volume, type VolumeHeader } from '@unbox/data';
import { loggerFor } from '../context.js';
import { UserError } from '../errors.js';

export interface InspectReport extends VolumeHeader {
  path: string;
  format: string;
  files: number;
  transferSyntax: string | null;
  transferSyntaxName: string | null;
  photometric: string | null;
  affine: number[] | null;
  /** 'HU' for CT (rescale slope/intercept applied), else the file's own scaled units. */
  unit: string;
  values: Summary;
}

export function inspectReport(path: string, v: Volume): InspectReport {
  const ts = typeof v.source.transferSyntax === 'string' ? v.source.transferSyntax : null;
  return {
    path,
    format: v.source.format,
    files: v.source.files.length,
    transferSyntax: ts,
    transferSyntaxName: ts ? describeTransferSyntax(ts) : null,
    photometric: typeof v.source.photometric === 'string' ? v.source.photometric : null,
    modality: v.modality,
    slices: v.slices,
    rows: v.rows,
    columns: v.columns,
    channels: v.channels,
    spacing: v.spacing,
    sliceThickness: v.sliceThickness,
    affine: v.affine,
    unit: v.modality === 'CT' ? 'HU' : 'scaled stored values',
    values: summarize(v.data),
  };
}

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+$/, ''));

export function formatReport(r: InspectReport): string {
  const lines = [
    r.path,
    `  format          ${r.format}${r.files > 1 ? ` (${r.files} files)` : ''}`,
    ...(r.transferSyntaxName ? [`  transfer syntax ${r.transferSyntaxName}`] : []),
    ...(r.photometric ? [`  photometric     ${r.photometric}`] : []),
    `  modality        ${r.modality ?? 'not stated'}`,
    `  dimensions      ${r.slices} slices x ${r.rows} rows x ${r.columns} columns x ${r.channels} channel${r.channels > 1 ? 's' : ''}`,
    `  spacing         ${fmt(r.spacing[0])} x ${fmt(r.spacing[1])} mm in-plane (rows x columns), ${fmt(r.spacing[2])} mm between slices`,
    `  slice thickness ${r.sliceThickness === null ? 'not stated' : `${fmt(r.sliceThickness)} mm`}`,
    `  values (${r.unit}) min ${fmt(r.values.min)}, max ${fmt(r.values.max)}, mean ${fmt(r.values.mean)}, std ${fmt(r.values.std)}`,
  ];
  if (r.values.nonFinite > 0) lines.push(`  non-finite      ${r.values.nonFinite} values (NaN/Inf) left out of the statistics`);
  return lines.join('\n');
}

/** Volume.data as little-endian float32 bytes, in Volume order (slices, rows, columns, channels). */
export function float32LeBytes(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}

/** Write to a temporary name then rename, so a failed run never leaves a half-written dump. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.partial-${process.pid}`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

export function dataInspectCommand(): Command {
  return new Command('inspect')
    .description('decode an image (DICOM file or series folder, NIfTI, PNG/JPEG slices) and describe it')
    .argument('<file-or-folder>', 'image file or folder')
    .option('--json', 'print the description as JSON')
    .option('--raw <out.f32>', 'also write the decoded values as little-endian float32 (slices, rows, columns, channels; HU for CT)')
    .action(async (target: string, opts: { json?: boolean; raw?: string }, cmd: Command) => {
      const log = loggerFor(cmd);
      const path = resolve(target);
      log.debug('reading', { path });
      const volume = await readVolume(path);
      const report = inspectReport(path, volume);
      process.stdout.write((opts.json ? JSON.stringify(report, null, 2) : formatReport(report)) + '\n');
      if (opts.raw) {
        const out = resolve(opts.raw);
        try {
          await writeAtomically(out, float32LeBytes(volume.data));
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : (e as Error).message;
          throw new UserError(`cannot write --raw ${out}: ${why}`);
        }
        log.info('wrote raw float32 values', { file: out, values: volume.data.length, shape: [volume.slices, volume.rows, volume.columns, volume.channels] });
      }
    });
}
