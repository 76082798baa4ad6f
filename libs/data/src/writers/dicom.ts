/**
 * CT Image Storage and MR Image Storage instances (PS3.3 A.3 / A.4), one file per slice, signed
 * 16-bit MONOCHROME2, Explicit VR Little Endian. Pure: returns the bytes of each file.
 */
import { encodePart10, tag, type DicomElement } from './dicom-elements.js';
import { UID, uidFromKey } from './uid.js';

export interface DicomSeriesSpec {
  modality: 'CT' | 'MR';
  rows: number;
  columns: number;
  slices: number;
  /** stored values, slices outermost, then rows, then columns (Volume.data order). */
  stored: Int16Array;
  /** real value = stored * slope + intercept (HU for CT). */
  rescaleSlope: number;
  rescaleIntercept: number;
  /** mm: [between rows, between columns] (DICOM PixelSpacing order). */
  pixelSpacing: [number, number];
  sliceThickness: number;
  /** mm between slice centres along the normal. */
  sliceSpacing: number;
  /** LPS mm of the centre of the first voxel (row 0, column 0) of slice 0. */
  origin: [number, number, number];
  /** row direction cosines then column direction cosines; default axial [1,0,0,0,1,0]. */
  orientation?: [number, number, number, number, number, number];
  patient: { id: string; name: string; birthDate?: string; sex?: 'M' | 'F' | 'O'; age?: string };
  study: { instanceUid: string; date: string; time: string; id: string; description?: string; accession?: string };
  series: { instanceUid: string; number: number; description?: string; bodyPart?: string };
  frameOfReferenceUid: string;
  equipment?: { manufacturer: string; model?: string; institution?: string };
  ct?: { kvp: number; kernel?: string };
  mr?: { repetitionTime: number; echoTime: number; fieldStrength: number; scanningSequence?: string; sequenceVariant?: string };
  window?: { center: number; width: number };
}

export interface EncodedSlice {
  sopInstanceUid: string;
  /** LPS position written as ImagePositionPatient. */
  position: [number, number, number];
  bytes: Uint8Array;
}

const SOP_CLASS = { CT: UID.CTImageStorage, MR: UID.MRImageStorage } as const;

function sliceNormal(o: readonly number[]): [number, number, number] {
  return [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];
}

/** Every slice of a series as a Part 10 file; slice k sits at origin + k * sliceSpacing * normal. */
export function encodeDicomSeries(s: DicomSeriesSpec): EncodedSlice[] {
  const plane = s.rows * s.columns;
  if (!Number.isInteger(s.rows) || !Number.isInteger(s.columns) || s.rows < 1 || s.columns < 1 || s.rows > 0xffff || s.columns > 0xffff) {
    throw new Error(`rows/columns must be integers in 1..65535, got ${s.rows}x${s.columns}`);
  }
  if (s.stored.length !== plane * s.slices) throw new Error(`stored has ${s.stored.length} values, expected ${s.slices}x${s.rows}x${s.columns}`);
  if (!(s.rescaleSlope !== 0 && Number.isFinite(s.rescaleSlope))) throw new Error('rescale slope must be finite and non-zero');
  const orientation = s.orientation ?? [1, 0, 0, 0, 1, 0];
  const n = sliceNormal(orientation);
  const out: EncodedSlice[] = [];
  for (let k = 0; k < s.slices; k++) {
    const position: [number, number, number] = [
      s.origin[0] + k * s.sliceSpacing * n[0],
      s.origin[1] + k * s.sliceSpacing * n[1],
      s.origin[2] + k * s.sliceSpacing * n[2],
    ];
    const sopInstanceUid = uidFromKey(`${s.series.instanceUid}/${k}`);
    const pixels = new Uint8Array(plane * 2);
    const view = new DataView(pixels.buffer);
    const src = s.stored.subarray(k * plane, (k + 1) * plane);
    for (let i = 0; i < plane; i++) view.setInt16(2 * i, src[i], true);
    const el: DicomElement[] = [
      { tag: tag(0x0008, 0x0005), vr: 'CS', value: 'ISO_IR 100' },
      { tag: tag(0x0008, 0x0008), vr: 'CS', value: ['ORIGINAL', 'PRIMARY', s.modality === 'CT' ? 'AXIAL' : 'OTHER'] },
      { tag: tag(0x0008, 0x0016), vr: 'UI', value: SOP_CLASS[s.modality] },
      { tag: tag(0x0008, 0x0018), vr: 'UI', value: sopInstanceUid },
      { tag: tag(0x0008, 0x0020), vr: 'DA', value: s.study.date },
      { tag: tag(0x0008, 0x0030), vr: 'TM', value: s.study.time },
      { tag: tag(0x0008, 0x0050), vr: 'SH', value: s.study.accession ?? '' },
      { tag: tag(0x0008, 0x0060), vr: 'CS', value: s.modality },
      { tag: tag(0x0008, 0x0070), vr: 'LO', value: s.equipment?.manufacturer ?? '' },
      { tag: tag(0x0008, 0x0090), vr: 'PN', value: '' },
      { tag: tag(0x0010, 0x0010), vr: 'PN', value: s.patient.name },
      { tag: tag(0x0010, 0x0020), vr: 'LO', value: s.patient.id },
      { tag: tag(0x0010, 0x0030), vr: 'DA', value: s.patient.birthDate ?? '' },
      { tag: tag(0x0010, 0x0040), vr: 'CS', value: s.patient.sex ?? '' },
      // Synthetic subjects: no identity to remove, but say so the way de-identified data does.
      { tag: tag(0x0012, 0x0062), vr: 'CS', value: 'YES' },
      { tag: tag(0x0012, 0x0063), vr: 'LO', value: 'synthetic phantom (unbox data synth)' },
      { tag: tag(0x0018, 0x0050), vr: 'DS', value: s.sliceThickness },
      { tag: tag(0x0018, 0x5100), vr: 'CS', value: 'HFS' },
      { tag: tag(0x0020, 0x000d), vr: 'UI', value: s.study.instanceUid },
      { tag: tag(0x0020, 0x000e), vr: 'UI', value: s.series.instanceUid },
      { tag: tag(0x0020, 0x0010), vr: 'SH', value: s.study.id },
      { tag: tag(0x0020, 0x0011), vr: 'IS', value: s.series.number },
      { tag: tag(0x0020, 0x0012), vr: 'IS', value: 1 },
      { tag: tag(0x0020, 0x0013), vr: 'IS', value: k + 1 },
      { tag: tag(0x0020, 0x0032), vr: 'DS', value: position },
      { tag: tag(0x0020, 0x0037), vr: 'DS', value: orientation },
      { tag: tag(0x0020, 0x0052), vr: 'UI', value: s.frameOfReferenceUid },
      { tag: tag(0x0020, 0x1040), vr: 'LO', value: '' },
      { tag: tag(0x0020, 0x1041), vr: 'DS', value: position[0] * n[0] + position[1] * n[1] + position[2] * n[2] },
      { tag: tag(0x0028, 0x0002), vr: 'US', value: 1 },
      { tag: tag(0x0028, 0x0004), vr: 'CS', value: 'MONOCHROME2' },
      { tag: tag(0x0028, 0x0010), vr: 'US', value: s.rows },
      { tag: tag(0x0028, 0x0011), vr: 'US', value: s.columns },
      { tag: tag(0x0028, 0x0030), vr: 'DS', value: s.pixelSpacing },
      { tag: tag(0x0028, 0x0100), vr: 'US', value: 16 },
      { tag: tag(0x0028, 0x0101), vr: 'US', value: 16 },
      { tag: tag(0x0028, 0x0102), vr: 'US', value: 15 },
      { tag: tag(0x0028, 0x0103), vr: 'US', value: 1 },
      { tag: tag(0x7fe0, 0x0010), vr: 'OW', value: pixels },
    ];
    if (s.study.description) el.push({ tag: tag(0x0008, 0x1030), vr: 'LO', value: s.study.description });
    if (s.series.description) el.push({ tag: tag(0x0008, 0x103e), vr: 'LO', value: s.series.description });
    if (s.equipment?.institution) el.push({ tag: tag(0x0008, 0x0080), vr: 'LO', value: s.equipment.institution });
    if (s.equipment?.model) el.push({ tag: tag(0x0008, 0x1090), vr: 'LO', value: s.equipment.model });
    if (s.series.bodyPart) el.push({ tag: tag(0x0018, 0x0015), vr: 'CS', value: s.series.bodyPart });
    // Laterality is type 2C: absent for an unpaired body part (CHEST, HEAD), empty when the part is unknown.
    else el.push({ tag: tag(0x0020, 0x0060), vr: 'CS', value: '' });
    if (s.patient.age) el.push({ tag: tag(0x0010, 0x1010), vr: 'AS', value: s.patient.age });
    if (s.window) {
      el.push({ tag: tag(0x0028, 0x1050), vr: 'DS', value: s.window.center });
      el.push({ tag: tag(0x0028, 0x1051), vr: 'DS', value: s.window.width });
    }
    if (s.modality === 'CT') {
      el.push({ tag: tag(0x0018, 0x0060), vr: 'DS', value: s.ct?.kvp ?? 120 });
      if (s.ct?.kernel) el.push({ tag: tag(0x0018, 0x1210), vr: 'SH', value: s.ct.kernel });
      el.push({ tag: tag(0x0028, 0x1052), vr: 'DS', value: s.rescaleIntercept });
      el.push({ tag: tag(0x0028, 0x1053), vr: 'DS', value: s.rescaleSlope });
      el.push({ tag: tag(0x0028, 0x1054), vr: 'LO', value: 'HU' });
    } else {
      const mr = s.mr ?? { repetitionTime: 500, echoTime: 15, fieldStrength: 1.5 };
      el.push({ tag: tag(0x0018, 0x0020), vr: 'CS', value: mr.scanningSequence ?? 'SE' });
      el.push({ tag: tag(0x0018, 0x0021), vr: 'CS', value: mr.sequenceVariant ?? 'NONE' });
      el.push({ tag: tag(0x0018, 0x0022), vr: 'CS', value: '' });
      el.push({ tag: tag(0x0018, 0x0023), vr: 'CS', value: '2D' });
      el.push({ tag: tag(0x0018, 0x0080), vr: 'DS', value: mr.repetitionTime });
      el.push({ tag: tag(0x0018, 0x0081), vr: 'DS', value: mr.echoTime });
      el.push({ tag: tag(0x0018, 0x0087), vr: 'DS', value: mr.fieldStrength });
      el.push({ tag: tag(0x0018, 0x0088), vr: 'DS', value: s.sliceSpacing });
      el.push({ tag: tag(0x0018, 0x0091), vr: 'IS', value: 1 });
      // MR images carry no Modality LUT in the IOD; vendors still write rescale when values are scaled.
      if (s.rescaleSlope !== 1 || s.rescaleIntercept !== 0) {
        el.push({ tag: tag(0x0028, 0x1052), vr: 'DS', value: s.rescaleIntercept });
        el.push({ tag: tag(0x0028, 0x1053), vr: 'DS', value: s.rescaleSlope });
      }
    }
    out.push({ sopInstanceUid, position, bytes: encodePart10(SOP_CLASS[s.modality], sopInstanceUid, el) });
  }
  return out;
}

/** Stored int16 values for real values under (slope, intercept), rounded and clamped. */
export function toStoredInt16(values: Float32Array, slope: number, intercept: number): Int16Array {
  const out = new Int16Array(values.length);
  const inv = 1 / slope;
  for (let i = 0; i < values.length; i++) {
    const q = Math.round((values[i] - intercept) * inv);
    out[i] = q > 32767 ? 32767 : q < -32768 ? -32768 : q;
  }
  return out;
}
