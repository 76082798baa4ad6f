/**
 * DICOM data elements in Explicit VR Little Endian (PS3.5 7.1.2) and the Part 10 file wrapper
 * (PS3.10 7.1: 128-byte preamble, "DICM", File Meta Information group 0002). Pure: bytes in memory.
 */
import { UID } from './uid.js';

export type Vr = 'AE' | 'AS' | 'CS' | 'DA' | 'DS' | 'IS' | 'LO' | 'LT' | 'PN' | 'SH' | 'ST' | 'TM' | 'UI' | 'US' | 'UL' | 'SS' | 'OB' | 'OW';

export interface DicomElement {
  /** (group << 16) | element */
  tag: number;
  vr: Vr;
  /** strings for text VRs (arrays are multi-valued, joined by "\"), numbers for US/UL/SS, bytes for OB/OW. */
  value: string | readonly string[] | number | readonly number[] | Uint8Array;
}

/** VRs with a 2-byte reserved field and a 32-bit length (PS3.5 Table 7.1-1). */
const LONG_VRS = new Set<Vr>(['OB', 'OW']);
/** Maximum value length per VR in characters (PS3.5 Table 6.2-1). */
const MAX_LEN: Partial<Record<Vr, number>> = { AE: 16, AS: 4, CS: 16, DA: 8, DS: 16, IS: 12, LO: 64, PN: 64, SH: 16, TM: 14, UI: 64, ST: 1024, LT: 10240 };

export const tag = (group: number, element: number): number => ((group << 16) | element) >>> 0;

export function tagText(t: number): string {
  return `(${(t >>> 16).toString(16).padStart(4, '0')},${(t & 0xffff).toString(16).padStart(4, '0')})`.toUpperCase();
}

/** A Decimal String (DS) of at most 16 characters for a finite number. */
export function formatDS(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`DS value must be finite, got ${x}`);
  if (Object.is(x, -0) || x === 0) return '0';
  let s = String(x);
  for (let p = 15; s.length > 16 && p >= 1; p--) s = String(Number(x.toPrecision(p)));
  for (let p = 10; s.length > 16 && p >= 1; p--) s = x.toExponential(p);
  return s;
}

function textOf(el: DicomElement): string {
  const parts = (Array.isArray(el.value) ? el.value : [el.value]) as (string | number)[];
  const strs = parts.map((p) => (typeof p === 'number' ? (el.vr === 'DS' ? formatDS(p) : el.vr === 'IS' ? String(Math.round(p)) : String(p)) : p));
  const max = MAX_LEN[el.vr];
  for (const s of strs) {
    if (max !== undefined && s.length > max) throw new Error(`${tagText(el.tag)} ${el.vr} value "${s}" longer than ${max} characters`);
    if (s.includes('\\') && el.vr !== 'LT' && el.vr !== 'ST') throw new Error(`${tagText(el.tag)} value "${s}" contains a backslash`);
    if (el.vr === 'CS' && !/^[A-Z0-9 _]*$/.test(s)) throw new Error(`${tagText(el.tag)} CS value "${s}" has characters outside A-Z 0-9 space _`);
    if (el.vr === 'UI' && s !== '' && !/^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/.test(s)) throw new Error(`${tagText(el.tag)} UI value "${s}" is not a UID`);
  }
  return strs.join('\\');
}

function valueBytes(el: DicomElement): Uint8Array {
  const v = el.value;
  switch (el.vr) {
    case 'US':
    case 'SS':
    case 'UL': {
      const nums = (Array.isArray(v) ? v : [v]) as number[];
      const size = el.vr === 'UL' ? 4 : 2;
      const out = new Uint8Array(nums.length * size);
      const dv = new DataView(out.buffer);
      nums.forEach((n, i) => {
        if (el.vr === 'US') dv.setUint16(i * 2, n, true);
        else if (el.vr === 'SS') dv.setInt16(i * 2, n, true);
        else dv.setUint32(i * 4, n, true);
      });
      return out;
    }
    case 'OB':
    case 'OW':
      if (!(v instanceof Uint8Array)) throw new Error(`${tagText(el.tag)} ${el.vr} needs bytes`);
      return v;
    default: {
      const s = textOf(el);
      const bytes = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c > 0xff) throw new Error(`${tagText(el.tag)} value has a character outside ISO_IR 100`);
        bytes[i] = c;
      }
      return bytes;
    }
  }
}

/** One element: tag, VR, length, value padded to even length (UI/OB with NUL, text with space). */
export function encodeElement(el: DicomElement): Uint8Array {
  const raw = valueBytes(el);
  const len = raw.length + (raw.length & 1);
  const long = LONG_VRS.has(el.vr);
  if (!long && len > 0xffff) throw new Error(`${tagText(el.tag)} value too long for a 16-bit length`);
  const head = long ? 12 : 8;
  const out = new Uint8Array(head + len);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, el.tag >>> 16, true);
  dv.setUint16(2, el.tag & 0xffff, true);
  out[4] = el.vr.charCodeAt(0);
  out[5] = el.vr.charCodeAt(1);
  if (long) dv.setUint32(8, len, true);
  else dv.setUint16(6, len, true);
  out.set(raw, head);
  if (len !== raw.length) out[head + raw.length] = el.vr === 'UI' || el.vr === 'OB' ? 0 : 0x20;
  return out;
}

/** Encode elements in ascending tag order (PS3.5 7.1: a data set is sorted by tag). */
export function encodeDataset(elements: readonly DicomElement[]): Uint8Array {
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].tag === sorted[i - 1].tag) throw new Error(`duplicate element ${tagText(sorted[i].tag)}`);
  }
  return concat(sorted.map(encodeElement));
}

/** A Part 10 file: preamble, "DICM", group 0002 with its group length, then the data set (Explicit VR LE). */
export function encodePart10(sopClassUid: string, sopInstanceUid: string, dataset: readonly DicomElement[]): Uint8Array {
  const metaBody = encodeDataset([
    { tag: tag(0x0002, 0x0001), vr: 'OB', value: Uint8Array.of(0, 1) },
    { tag: tag(0x0002, 0x0002), vr: 'UI', value: sopClassUid },
    { tag: tag(0x0002, 0x0003), vr: 'UI', value: sopInstanceUid },
    { tag: tag(0x0002, 0x0010), vr: 'UI', value: UID.ExplicitVRLittleEndian },
    { tag: tag(0x0002, 0x0012), vr: 'UI', value: UID.Implementation },
    { tag: tag(0x0002, 0x0013), vr: 'SH', value: 'UNBOX_SYNTH_1' },
  ]);
  const groupLength = encodeElement({ tag: tag(0x0002, 0x0000), vr: 'UL', value: metaBody.length });
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  if (dataset.some((e) => e.tag >>> 16 === 0x0002)) throw new Error('group 0002 belongs to the file meta information');
  return concat([preamble, groupLength, metaBody, encodeDataset(dataset)]);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
