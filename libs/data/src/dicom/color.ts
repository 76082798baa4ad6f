/** Colour conversions and lookups (DICOM PS3.3 C.7.6.3.1.2 and C.7.6.3.1.5-6). */
import type { DataSet } from 'dicom-parser';
import { DataError } from '../volume.js';

/**
 * YBR_FULL to RGB in place (ITU-R BT.601 full range, as PS3.3 C.7.6.3.1.2), rounded and clipped
 * to 8 bits the way pydicom's convert_color_space does.
 */
export function ybrFullToRgb(v: Float32Array): void {
  for (let i = 0; i < v.length; i += 3) {
    const y = v[i];
    const cb = v[i + 1] - 128;
    const cr = v[i + 2] - 128;
    const r = y + 1.402 * cr;
    const g = y + ((-0.114 * 1.772) / 0.587) * cb + ((-0.299 * 1.402) / 0.587) * cr;
    const b = y + 1.772 * cb;
    v[i] = clip8(r);
    v[i + 1] = clip8(g);
    v[i + 2] = clip8(b);
  }
}

function clip8(x: number): number {
  return Math.min(255, Math.max(0, Math.floor(x + 0.5)));
}

interface Lut {
  entries: number;
  firstMapped: number;
  data: Uint16Array;
}

function readLut(ds: DataSet, descTag: string, dataTag: string, file: string, colour: string): Lut {
  const desc = ds.elements[descTag];
  const data = ds.elements[dataTag];
  if (ds.elements[`x0028122${colour === 'red' ? 1 : colour === 'green' ? 2 : 3}`]) {
    throw new DataError(file, 'segmented palette colour lookup tables are not supported');
  }
  if (!desc || !data || desc.length < 6) throw new DataError(file, `PALETTE COLOR without a ${colour} lookup table`);
  const parser = desc.parser ?? ds.byteArrayParser;
  const entries = parser.readUint16(ds.byteArray, desc.dataOffset) || 65536;
  // first mapped value: US, or SS for signed pixel data (applyPalette reinterprets it then)
  const firstRaw = parser.readUint16(ds.byteArray, desc.dataOffset + 2);
  const bits = parser.readUint16(ds.byteArray, desc.dataOffset + 4);
  const dparser = data.parser ?? ds.byteArrayParser;
  const out = new Uint16Array(entries);
  if (bits === 8 && data.length === entries) {
    for (let i = 0; i < entries; i++) out[i] = ds.byteArray[data.dataOffset + i];
  } else {
    if (data.length < entries * 2) throw new DataError(file, `${colour} palette holds ${data.length} bytes for ${entries} entries`);
    for (let i = 0; i < entries; i++) out[i] = dparser.readUint16(ds.byteArray, data.dataOffset + 2 * i);
  }
  return { entries, firstMapped: firstRaw, data: out };
}

/** Apply the red/green/blue palette lookup to stored indices: one channel in, three out. */
export function applyPalette(ds: DataSet, frame: Float32Array, file: string, signed: boolean): Float32Array {
  const luts = [
    readLut(ds, 'x00281101', 'x00281201', file, 'red'),
    readLut(ds, 'x00281102', 'x00281202', file, 'green'),
    readLut(ds, 'x00281103', 'x00281203', file, 'blue'),
  ];
  const out = new Float32Array(frame.length * 3);
  for (let c = 0; c < 3; c++) {
    const { entries, data } = luts[c];
    const first = signed && luts[c].firstMapped >= 32768 ? luts[c].firstMapped - 65536 : luts[c].firstMapped;
    for (let i = 0; i < frame.length; i++) {
      // values below/above the table take its first/last entry (PS3.3 C.7.6.3.1.5)
      const k = Math.min(entries - 1, Math.max(0, frame[i] - first));
      out[i * 3 + c] = data[k];
    }
  }
  return out;
}
