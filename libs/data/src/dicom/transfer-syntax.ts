/** The transfer syntaxes Unbox decodes (DICOM PS3.5 section 10 and annexes A.4, G). */
export type PixelEncoding =
  | 'native'
  | 'rle'
  | 'jpeg-baseline'
  | 'jpeg-extended'
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'jpeg-2000';

export interface TransferSyntax {
  uid: string;
  name: string;
  encoding: PixelEncoding;
  littleEndian: boolean;
  explicitVR: boolean;
  deflated: boolean;
}

const ts = (uid: string, name: string, encoding: PixelEncoding, o: Partial<TransferSyntax> = {}): TransferSyntax => ({
  uid,
  name,
  encoding,
  littleEndian: true,
  explicitVR: true,
  deflated: false,
  ...o,
});

export const TRANSFER_SYNTAXES: ReadonlyMap<string, TransferSyntax> = new Map(
  [
    ts('1.2.840.10008.1.2', 'Implicit VR Little Endian', 'native', { explicitVR: false }),
    ts('1.2.840.10008.1.2.1', 'Explicit VR Little Endian', 'native'),
    ts('1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian', 'native', { deflated: true }),
    ts('1.2.840.10008.1.2.2', 'Explicit VR Big Endian', 'native', { littleEndian: false }),
    ts('1.2.840.10008.1.2.5', 'RLE Lossless', 'rle'),
    ts('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg-baseline'),
    ts('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'jpeg-extended'),
    ts('1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', 'jpeg-lossless'),
    ts('1.2.840.10008.1.2.4.70', 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, SV1)', 'jpeg-lossless'),
    ts('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', 'jpeg-ls'),
    ts('1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless)', 'jpeg-ls'),
    ts('1.2.840.10008.1.2.4.90', 'JPEG 2000 (Lossless Only)', 'jpeg-2000'),
    ts('1.2.840.10008.1.2.4.91', 'JPEG 2000', 'jpeg-2000'),
    // High-Throughput JPEG 2000 (Part 15): OpenJPEG >= 2.5 decodes HT code-blocks
    ts('1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 (Lossless Only)', 'jpeg-2000'),
    ts('1.2.840.10008.1.2.4.202', 'High-Throughput JPEG 2000 with RPCL Options (Lossless Only)', 'jpeg-2000'),
    ts('1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000', 'jpeg-2000'),
  ].map((t) => [t.uid, t]),
);

const KNOWN_UNSUPPORTED: Record<string, string> = {
  '1.2.840.10008.1.2.4.52': 'JPEG Extended (Process 3 & 5), retired',
  '1.2.840.10008.1.2.4.53': 'JPEG Spectral Selection, retired',
  '1.2.840.10008.1.2.4.55': 'JPEG Full Progression, retired',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component (Lossless Only)',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.94': 'JPIP Referenced',
  '1.2.840.10008.1.2.4.95': 'JPIP Referenced Deflate',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile',
  '1.2.840.10008.1.2.4.101': 'MPEG2 High Profile',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264',
  '1.2.840.10008.1.2.4.103': 'MPEG-4 AVC/H.264 BD-compatible',
};

/** Name for an error message: the syntax's name when known, else the bare UID. */
export function describeTransferSyntax(uid: string): string {
  const t = TRANSFER_SYNTAXES.get(uid);
  if (t) return `${t.name} (${uid})`;
  const u = KNOWN_UNSUPPORTED[uid];
  return u ? `${u} (${uid})` : uid;
}
