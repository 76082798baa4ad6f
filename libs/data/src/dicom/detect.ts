/** Is this byte string (the first bytes of a file) DICOM? Pure. */
export function looksLikeDicom(b: Uint8Array, name = ''): boolean {
  // Part 10: 128-byte preamble then "DICM"
  if (b.length >= 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d) return true;
  // bare data set: starts with a group 0002 or 0008 element in either byte order
  if (b.length >= 8 && ((b[0] === 0x08 && b[1] === 0x00) || (b[0] === 0x00 && b[1] === 0x08) || (b[0] === 0x02 && b[1] === 0x00))) return true;
  return /\.(dcm|dicom)$/i.test(name);
}
