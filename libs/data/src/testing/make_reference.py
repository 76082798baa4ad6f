#!/usr/bin/python3
"""Build the reader test set and its independently computed reference values.

Run by test-data.ts (never by hand needed) with Debian's /usr/bin/python3:
    make_reference.py <pydicom test_files dir> <nibabel tests/data dir> <out dir>

Independent tools: DCMTK (dcmdrle, dcmdjpeg, dcmdjpls; dcmcjpeg, dcmcjpls, dcmconv, dcmquant to make
extra inputs), GDCM (gdcmconv --raw to decompress JPEG 2000; gdcmconv --j2k to make a lossy one),
pydicom + numpy (native pixel data, palette and colour conversion, modality LUT), nibabel (NIfTI).
Writes <out>/ref/<case>.f32 (little-endian float32, frames/slices, rows, columns, channels) and
<out>/ref/index.json describing every case.
"""
import gzip
import io
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import apply_color_lut, apply_modality_lut, convert_color_space

TF, NIB, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
GEN = os.path.join(OUT, 'generated')
TMP = os.path.join(OUT, 'tmp')
REF = os.path.join(OUT, 'ref')
for d in (GEN, TMP, REF):
    os.makedirs(d, exist_ok=True)

cases = []


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return cmd[-1]


def tf(rel):
    return os.path.join(TF, rel)


def gen(name, *cmd_then_in):
    """Run a DCMTK/GDCM command writing GEN/name; return the path."""
    out = os.path.join(GEN, name)
    if not os.path.exists(out):
        run(*cmd_then_in, out)
    return out


def stored(ds, arr):
    """Stored values per PS3.5 8.1.1: the BitsStored window ending at HighBit, two's complement if signed."""
    ba, bs, hb = ds.BitsAllocated, ds.BitsStored, ds.HighBit
    if ba == 1 or bs == ba and hb == ba - 1:
        return arr.astype(np.float64)
    a = arr.astype(np.int64)
    if a.min() < 0:
        a &= (1 << ba) - 1
    a = (a >> (hb + 1 - bs)) & ((1 << bs) - 1)
    if ds.PixelRepresentation == 1:
        a = np.where(a >= (1 << (bs - 1)), a - (1 << bs), a)
    return a.astype(np.float64)


def values(path_native, original, ts=None):
    """Real-world values of a native (uncompressed) file: [frames, rows, cols, channels] float32.
    `ts`: the transfer syntax of a file written without File Meta Information."""
    ds = pydicom.dcmread(path_native, force=ts is not None)
    orig = pydicom.dcmread(original, stop_before_pixels=True, force=ts is not None)
    if ts:
        ds.file_meta = pydicom.dataset.FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = ts
    arr = ds.pixel_array
    if 'FloatPixelData' in ds or 'DoubleFloatPixelData' in ds:
        frames = int(ds.get('NumberOfFrames', 1) or 1)
        return arr.reshape(frames, int(ds.Rows), int(ds.Columns), 1).astype(np.float32)
    frames = int(ds.get('NumberOfFrames', 1) or 1)
    spp = int(ds.SamplesPerPixel)
    pi = ds.PhotometricInterpretation
    if pi == 'PALETTE COLOR':
        arr = apply_color_lut(arr, ds).astype(np.float64)
        spp = 3
    else:
        arr = stored(ds, arr)
        if pi in ('YBR_FULL', 'YBR_FULL_422'):
            arr = convert_color_space(arr.astype(np.uint8), pi, 'RGB').astype(np.float64)
        elif spp == 1 and 'ModalityLUTSequence' in orig:
            arr = apply_modality_lut(arr.astype(np.int64), ds).astype(np.float64)
        elif spp == 1 and ('RescaleSlope' in orig or 'RescaleIntercept' in orig):
            arr = arr * float(orig.get('RescaleSlope', 1)) + float(orig.get('RescaleIntercept', 0))
    return arr.reshape(frames, int(ds.Rows), int(ds.Columns), spp).astype(np.float32)


def add(name, src, tool, tolerance=0.0, note='', ts=None):
    """One DICOM file case: decode `src` with `tool` to a native file, then take its values."""
    if tool == 'pydicom':
        native = src
    else:
        native = os.path.join(TMP, name + '.dcm')
        if tool == 'dcmdrle':
            run('dcmdrle', src, native)
        elif tool == 'dcmdjpeg':
            run('dcmdjpeg', src, native)
        elif tool == 'dcmdjpls':
            run('dcmdjpls', src, native)
        elif tool == 'gdcmconv --raw':
            run('gdcmconv', '--raw', src, native)
        else:
            raise ValueError(tool)
    v = values(native, src, ts)
    v.tofile(os.path.join(REF, name + '.f32'))
    ds = pydicom.dcmread(src, stop_before_pixels=True, force=ts is not None)
    cases.append({
        'name': name, 'kind': 'dicom-file', 'path': os.path.relpath(src, OUT), 'tool': tool,
        'transferSyntax': ts or str(ds.file_meta.TransferSyntaxUID), 'photometric': str(ds.PhotometricInterpretation),
        'shape': list(v.shape), 'tolerance': tolerance, 'modality': ds.get('Modality'), 'note': note,
        'min': float(v.min()), 'max': float(v.max()), 'mean': float(v.astype(np.float64).mean()),
    })


def add_series(name, folder):
    """A series folder: slices sorted by ImagePositionPatient along the common slice normal (PS3.3
    C.7.6.2); by InstanceNumber when the slices do not share one orientation (no volume geometry)."""
    dss = [pydicom.dcmread(os.path.join(folder, f)) for f in sorted(os.listdir(folder))]
    iops = np.array([[float(x) for x in d.ImageOrientationPatient] for d in dss])
    same = bool(np.all(np.abs(iops - iops[0]) <= 1e-4))
    ps = [float(x) for x in dss[0].PixelSpacing]
    if same:
        normal = np.cross(iops[0][:3], iops[0][3:])
        z = [float(np.dot(np.array(d.ImagePositionPatient, dtype=np.float64), normal)) for d in dss]
        order = np.argsort(z, kind='stable')
        zs = sorted(z)
        dz = (zs[-1] - zs[0]) / (len(zs) - 1)
    else:
        order = np.argsort([int(d.InstanceNumber) for d in dss], kind='stable')
        d0 = dss[order[0]]
        dz = float(d0.get('SpacingBetweenSlices', d0.get('SliceThickness', 1)))
    vol = np.stack([values(dss[i].filename, dss[i].filename)[0] for i in order])
    vol.astype(np.float32).tofile(os.path.join(REF, name + '.f32'))
    head = dss[order[0]]
    cases.append({
        'name': name, 'kind': 'dicom-series', 'path': os.path.relpath(folder, OUT), 'tool': 'pydicom+numpy sort by IPP . normal',
        'shape': list(vol.shape), 'tolerance': 0.0, 'modality': head.get('Modality'),
        'spacing': [ps[0], ps[1], dz], 'orderedBy': 'ImagePositionPatient' if same else 'InstanceNumber',
        'sliceThickness': float(head.SliceThickness) if 'SliceThickness' in head else None,
        'files': [os.path.relpath(dss[i].filename, OUT) for i in order],
    })


def copy_in(rel):
    """Copy a pydicom test file into OUT so every case path is inside the cache."""
    dst = os.path.join(OUT, 'dicom', os.path.basename(rel))
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if not os.path.exists(dst):
        shutil.copyfile(tf(rel), dst)
    return dst


# ---- native encodings: pydicom reads them (pure Python), values checked against ours
add('ct_small_explicit_le', copy_in('CT_small.dcm'), 'pydicom')
add('mr_small_implicit_le', copy_in('MR_small_implicit.dcm'), 'pydicom')
add('mr_small_explicit_be', copy_in('MR_small_bigendian.dcm'), 'pydicom')
add('rgb_explicit_be', copy_in('ExplVR_BigEnd.dcm'), 'pydicom')
add('rtdose_32bit_15frames_implicit', copy_in('rtdose.dcm'), 'pydicom')
add('rtdose_32bit_15frames_be', copy_in('rtdose_expb.dcm'), 'pydicom')
add('seg_1bit_le', copy_in('liver_1frame.dcm'), 'pydicom')
add('seg_1bit_be', copy_in('liver_expb_1frame.dcm'), 'pydicom')
add('grey8_deflated', copy_in('image_dfl.dcm'), 'pydicom')
add('ct_deflated', gen('ct_deflated.dcm', 'dcmconv', '+td', tf('CT_small.dcm')), 'pydicom')
add('rgb_planar_odd', copy_in('SC_rgb_small_odd.dcm'), 'pydicom')
add('ybr_full_422_native', copy_in('SC_ybr_full_422_uncompressed.dcm'), 'pydicom')
add('cr_monochrome1_12bit', copy_in('dicomdirtests/77654033/CR1/6154'), 'pydicom')
add('palette_colour', gen('palette.dcm', 'dcmquant', tf('SC_rgb_jpeg_dcmd.dcm')), 'pydicom', note='dcmquant output')
# files without File Meta Information (bare data sets, dcmconv -F): the reader guesses the encoding
add('no_meta_implicit_le', gen('no_meta_implicit.dcm', 'dcmconv', '-F', '+ti', tf('MR_small.dcm')), 'pydicom', ts='1.2.840.10008.1.2')
add('no_meta_explicit_le', gen('no_meta_explicit_le.dcm', 'dcmconv', '-F', '+te', tf('MR_small.dcm')), 'pydicom', ts='1.2.840.10008.1.2.1')
add('no_meta_explicit_be', gen('no_meta_explicit_be.dcm', 'dcmconv', '-F', '+tb', tf('MR_small.dcm')), 'pydicom', ts='1.2.840.10008.1.2.2')


def float_pixels(name, double, big_endian):
    """Float / Double Float Pixel Data (parametric maps), written with pydicom."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, generate_uid
    rng = np.random.default_rng(7)
    arr = (rng.standard_normal((2, 5, 7)) * 1000).astype(np.float64 if double else np.float32)
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRBigEndian if big_endian else ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.30'  # Parametric Map Storage
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID, ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPClassUID, ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = 'MR'
    ds.Rows, ds.Columns, ds.NumberOfFrames = 5, 7, 2
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.BitsAllocated = 1, 'MONOCHROME2', 64 if double else 32
    raw = arr.astype(('>' if big_endian else '<') + ('f8' if double else 'f4')).tobytes()
    if double:
        ds.DoubleFloatPixelData = raw
    else:
        ds.FloatPixelData = raw
    ds.is_little_endian, ds.is_implicit_VR = not big_endian, False
    out = os.path.join(GEN, name + '.dcm')
    ds.save_as(out, write_like_original=False)
    add(name, out, 'pydicom')


def bits1_frames(name):
    """1-bit multi-frame segmentation whose frames are not byte aligned (5 x 7 = 35 bits per frame)."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.pixel_data_handlers.numpy_handler import pack_bits
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid
    rng = np.random.default_rng(3)
    arr = (rng.random((3, 5, 7)) > 0.5).astype(np.uint8)
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.66.4'  # Segmentation Storage
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID, ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPClassUID, ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = 'SEG'
    ds.Rows, ds.Columns, ds.NumberOfFrames = 5, 7, 3
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, 'MONOCHROME2'
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 1, 1, 0, 0
    ds.PixelData = pack_bits(arr)
    ds.is_little_endian, ds.is_implicit_VR = True, False
    out = os.path.join(GEN, name + '.dcm')
    ds.save_as(out, write_like_original=False)
    add(name, out, 'pydicom')


def modality_lut(name):
    """CT_small with a Modality LUT Sequence instead of rescale (pydicom's apply_modality_lut is the reference)."""
    from pydicom.dataset import Dataset
    ds = pydicom.dcmread(tf('CT_small.dcm'))
    del ds.RescaleSlope, ds.RescaleIntercept
    first = 200
    n = 1500
    item = Dataset()
    item.add_new(0x00283002, 'US', [n, first, 16])  # LUTDescriptor
    item.ModalityLUTType = 'HU'
    item.add_new(0x00283006, 'US', [int(x) for x in (np.arange(n) * 3 + 17) % 65536])  # LUTData
    ds.ModalityLUTSequence = [item]
    out = os.path.join(GEN, name + '.dcm')
    ds.save_as(out)
    add(name, out, 'pydicom')


def palette16(name):
    """PALETTE COLOR with 16-bit indices and 16-bit tables (4096 entries, first mapped 100), pydicom-made;
    indices outside the table take its end entries (apply_color_lut is the reference)."""
    ds = pydicom.dcmread(tf('MR_small.dcm'))
    idx = ds.pixel_array.astype(np.uint16) * 2
    ds.PixelRepresentation = 0
    ds.PhotometricInterpretation = 'PALETTE COLOR'
    ds.PixelData = idx.tobytes()
    n, first = 4096, 100
    ramp = np.arange(n, dtype=np.int64)
    for tag, lut in ((0x1201, (ramp * 16) % 65536), (0x1202, 65535 - (ramp * 16) % 65536), (0x1203, (ramp * 37) % 65536)):
        ds.add_new(0x00280000 | (tag - 0x100), 'US', [n, first, 16])  # (0028,1101..1103) descriptors
        ds.add_new(0x00280000 | tag, 'OW', lut.astype('<u2').tobytes())
    out = os.path.join(GEN, name + '.dcm')
    ds.save_as(out)
    add(name, out, 'pydicom')


palette16('palette_colour_16bit')
modality_lut('ct_modality_lut_sequence')
bits1_frames('seg_1bit_3frames_unaligned')
float_pixels('float32_pixels_le', False, False)
float_pixels('float64_pixels_be', True, True)

# ---- RLE lossless: DCMTK dcmdrle
add('mr_small_rle', copy_in('MR_small_RLE.dcm'), 'dcmdrle')
add('rgb_rle_8bit', copy_in('SC_rgb_rle.dcm'), 'dcmdrle')
add('rgb_rle_16bit_2frames', copy_in('SC_rgb_rle_16bit_2frame.dcm'), 'dcmdrle')
add('rgb_rle_32bit_2frames', copy_in('SC_rgb_rle_32bit_2frame.dcm'), 'dcmdrle')
add('rtdose_rle_32bit_15frames', copy_in('rtdose_rle.dcm'), 'dcmdrle')
# ---- JPEG baseline (8-bit, lossy): DCMTK dcmdjpeg (IJG), converts YCbCr to RGB
add('jpeg_baseline_ybr_full', copy_in('SC_rgb_jpeg_dcmtk.dcm'), 'dcmdjpeg')
add('jpeg_baseline_ybr_full_422', copy_in('SC_rgb_dcmtk_+eb+cy+np.dcm'), 'dcmdjpeg')
add('jpeg_baseline_rgb_no_transform', copy_in('SC_jpeg_no_color_transform.dcm'), 'dcmdjpeg')
add('jpeg_baseline_rgb_gdcm', copy_in('SC_rgb_jpeg_lossy_gdcm.dcm'), 'dcmdjpeg')
add('jpeg_baseline_odd_3x3', copy_in('SC_rgb_small_odd_jpeg.dcm'), 'dcmdjpeg')
for f in ('SC_rgb_dcmtk_+eb+cr.dcm', 'SC_rgb_dcmtk_+eb+cy+n1.dcm', 'SC_rgb_dcmtk_+eb+cy+n2.dcm', 'SC_rgb_dcmtk_+eb+cy+s2.dcm',
          'SC_rgb_dcmtk_+eb+cy+s4.dcm', 'SC_rgb_jpeg_app14_dcmd.dcm', 'SC_jpeg_no_color_transform_2.dcm'):
    add('jpeg_baseline_' + f[3:-4].replace('+', '_').lower(), copy_in(f), 'dcmdjpeg')
grey8 = gen('grey8_explicit.dcm', 'dcmconv', '+te', tf('image_dfl.dcm'))
add('jpeg_baseline_grey8', gen('jpeg_baseline_grey8.dcm', 'dcmcjpeg', '+eb', grey8), 'dcmdjpeg')
# ---- JPEG lossless process 14, every predictor (dcmcjpeg), signed 16-bit CT; decoded by dcmdjpeg
for sv in range(1, 8):
    add(f'jpeg_lossless_sv{sv}_ct', gen(f'jpeg_lossless_sv{sv}.dcm', 'dcmcjpeg', '+el', '+sv', str(sv), tf('CT_small.dcm')), 'dcmdjpeg')
add('jpeg_lossless_sv1_mr', gen('jpeg_lossless_sv1_mr.dcm', 'dcmcjpeg', '+e1', tf('MR_small.dcm')), 'dcmdjpeg')
add('jpeg_lossless_sv1_rgb_gdcm', copy_in('SC_rgb_jpeg_gdcm.dcm'), 'dcmdjpeg')
# ---- JPEG-LS: DCMTK dcmdjpls (CharLS inside DCMTK, separate build)
add('jpeg_ls_lossless_mr', copy_in('MR_small_jpeg_ls_lossless.dcm'), 'dcmdjpls')
add('jpeg_ls_near_grey8', gen('jpeg_ls_near_grey8.dcm', 'dcmcjpls', '+en', '+md', '3', grey8), 'dcmdjpls')
add('jpeg_ls_near_cr12', gen('jpeg_ls_near_cr12.dcm', 'dcmcjpls', '+en', '+md', '2', tf('dicomdirtests/77654033/CR1/6154')), 'dcmdjpls')
# ---- JPEG 2000: GDCM (OpenJPEG inside GDCM)
add('j2k_lossless_mr', copy_in('MR_small_jp2klossless.dcm'), 'gdcmconv --raw')
add('j2k_lossless_pixelrep_mismatch', copy_in('J2K_pixelrep_mismatch.dcm'), 'gdcmconv --raw', note='codestream unsigned, header signed: header wins')
add('j2k_lossless_ybr_rct', copy_in('GDCMJ2K_TextGBR.dcm'), 'gdcmconv --raw')
add('j2k_lossy_ct_14bit', copy_in('693_J2KI.dcm'), 'gdcmconv --raw')
add('j2k_lossy_rgb', copy_in('SC_rgb_gdcm_KY.dcm'), 'gdcmconv --raw')
add('j2k_lossy_nm', copy_in('JPEG2000.dcm'), 'gdcmconv --raw')
add('j2k_lossy_ct_gdcm', gen('j2k_lossy_ct.dcm', 'gdcmconv', '--j2k', '--lossy', '-q', '40', tf('CT_small.dcm')), 'gdcmconv --raw')
# ---- multi-frame and colour variants of the compressed syntaxes (made by DCMTK / GDCM)
rgb2 = gen('rgb_2frames_native.dcm', 'dcmdrle', tf('SC_rgb_rle_2frame.dcm'))
add('jpeg_baseline_rgb_2frames_fragmented_no_bot', gen('jpeg_baseline_2f_frag.dcm', 'dcmcjpeg', '+eb', '+fs', '1', '-ot', rgb2), 'dcmdjpeg',
    note='several fragments per frame, empty Basic Offset Table')
add('jpeg_extended_8bit', gen('jpeg_extended_8bit.dcm', 'dcmcjpeg', '+ee', grey8), 'dcmdjpeg')
add('jpeg_lossless_sv7_rgb_2frames', gen('jpeg_lossless_sv7_rgb_2f.dcm', 'dcmcjpeg', '+el', '+sv', '7', rgb2), 'dcmdjpeg')
add('jpeg_ls_lossless_rgb_2frames_line', gen('jpeg_ls_rgb_2f_line.dcm', 'dcmcjpls', '+il', rgb2), 'dcmdjpls')
add('jpeg_ls_lossless_rgb_2frames_sample', gen('jpeg_ls_rgb_2f_sample.dcm', 'dcmcjpls', '+is', rgb2), 'dcmdjpls')
add('jpeg_ls_lossless_rgb_2frames_none', gen('jpeg_ls_rgb_2f_none.dcm', 'dcmcjpls', '+in', rgb2), 'dcmdjpls')
add('j2k_lossless_rgb_2frames', gen('j2k_rgb_2f.dcm', 'gdcmconv', '--j2k', rgb2), 'gdcmconv --raw')
ybr_native = gen('ybr_full_native.dcm', 'dcmdjpeg', '+cn', tf('SC_rgb_jpeg_dcmtk.dcm'))  # keeps YCbCr, PI YBR_FULL
add('ybr_full_native', ybr_native, 'pydicom')
add('rle_ybr_full', gen('rle_ybr_full.dcm', 'dcmcrle', ybr_native), 'dcmdrle')
add('rle_ct_signed', gen('rle_ct.dcm', 'dcmcrle', tf('CT_small.dcm')), 'dcmdrle')

# ---- enhanced multi-frame CT (functional groups), written with pydicom: frames out of spatial
# order, a modality LUT per frame; reference = frames sorted by z with each frame's own rescale
def add_enhanced(name):
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid
    src = pydicom.dcmread(tf('CT_small.dcm'))
    base = src.pixel_array.astype(np.int16)
    zs = [30.0, 20.0, 25.0, 15.0]
    slopes = [1.0, 0.5, 2.0, 1.0]
    inters = [-1024.0, -1000.0, -1030.0, -1024.5]
    stored = np.stack([base + 10 * k for k in range(len(zs))]).astype(np.int16)
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.2.1'  # Enhanced CT Image Storage
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID, ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPClassUID, ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = 'CT'
    ds.SeriesInstanceUID = generate_uid()
    ds.Rows, ds.Columns = base.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, 'MONOCHROME2'
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.NumberOfFrames = len(zs)
    pm = Dataset()
    pm.PixelSpacing = [0.5, 0.6]
    pm.SliceThickness = 2.5
    po = Dataset()
    po.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    shared = Dataset()
    shared.PixelMeasuresSequence = [pm]
    shared.PlaneOrientationSequence = [po]
    ds.SharedFunctionalGroupsSequence = [shared]
    per = []
    for k, z in enumerate(zs):
        pp = Dataset()
        pp.ImagePositionPatient = [-10.0, -20.0, z]
        pvt = Dataset()
        pvt.RescaleSlope, pvt.RescaleIntercept, pvt.RescaleType = slopes[k], inters[k], 'HU'
        fr = Dataset()
        fr.PlanePositionSequence = [pp]
        fr.PixelValueTransformationSequence = [pvt]
        per.append(fr)
    ds.PerFrameFunctionalGroupsSequence = per
    ds.PixelData = stored.tobytes()
    out = os.path.join(GEN, name + '.dcm')
    ds.save_as(out, write_like_original=False)
    back = pydicom.dcmread(out).pixel_array.astype(np.float64)
    order = np.argsort(zs)
    v = np.stack([back[k] * slopes[k] + inters[k] for k in order])[..., None].astype(np.float32)
    v.tofile(os.path.join(REF, name + '.f32'))
    cases.append({
        'name': name, 'kind': 'dicom-file', 'path': os.path.relpath(out, OUT), 'tool': 'pydicom + numpy (per-frame rescale, sorted by z)',
        'transferSyntax': str(ExplicitVRLittleEndian), 'photometric': 'MONOCHROME2', 'shape': list(v.shape), 'tolerance': 0.0,
        'modality': 'CT', 'spacing': [0.5, 0.6, 5.0], 'sliceThickness': 2.5, 'note': 'enhanced multi-frame',
    })


add_enhanced('enhanced_ct_functional_groups')

# ---- High-Throughput JPEG 2000 (Part 15): encoded and decoded by OpenJPH (ojph_compress/ojph_expand),
# which shares no code with the OpenJPEG decoder Unbox uses
def read_pgm(path):
    with open(path, 'rb') as fh:
        data = fh.read()
    parts, pos = [], 0
    while len(parts) < 4:  # magic, width, height, maxval (no comments in OpenJPH output)
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        parts.append(data[pos:end])
        pos = end
    w, h, maxval = int(parts[1]), int(parts[2]), int(parts[3])
    dt = '>u2' if maxval > 255 else 'u1'
    return np.frombuffer(data[pos + 1:], dtype=dt, count=w * h).reshape(h, w)


def add_htj2k(name, src_rel, uid, reversible):
    from pydicom.encaps import encapsulate
    ds = pydicom.dcmread(tf(src_rel))
    arr = ds.pixel_array.astype(np.int64)
    assert arr.min() >= 0 and ds.SamplesPerPixel == 1
    pgm = os.path.join(TMP, name + '.pgm')
    with open(pgm, 'wb') as fh:
        fh.write(b'P5\n%d %d\n65535\n' % (arr.shape[1], arr.shape[0]))
        fh.write(arr.astype('>u2').tobytes())
    j2c = os.path.join(TMP, name + '.j2c')
    opts = ['-reversible', 'true'] if reversible else ['-reversible', 'false', '-qstep', '0.001']
    run('ojph_compress', '-i', pgm, *opts, '-o', j2c)
    back = os.path.join(TMP, name + '_back.pgm')
    run('ojph_expand', '-i', j2c, '-o', back)
    stored_vals = read_pgm(back).astype(np.float64)
    ds.PixelData = encapsulate([open(j2c, 'rb').read()])
    ds['PixelData'].is_undefined_length = True
    ds['PixelData'].VR = 'OB'
    ds.PixelRepresentation = 0
    # pydicom 2.3 does not know the HTJ2K UIDs: write with a same-length placeholder (MPEG2, also
    # encapsulated), then put the real UID in its place
    placeholder = '1.2.840.10008.1.2.4.100'
    assert len(placeholder) == len(uid)
    ds.file_meta.TransferSyntaxUID = placeholder
    ds.is_little_endian, ds.is_implicit_VR = True, False
    out = os.path.join(GEN, name + '.dcm')
    ds.save_as(out, write_like_original=False)
    raw = open(out, 'rb').read()
    assert raw.count(placeholder.encode()) == 1
    open(out, 'wb').write(raw.replace(placeholder.encode(), uid.encode()))
    v = stored_vals
    if 'RescaleSlope' in ds or 'RescaleIntercept' in ds:
        v = v * float(ds.get('RescaleSlope', 1)) + float(ds.get('RescaleIntercept', 0))
    v = v.reshape(1, arr.shape[0], arr.shape[1], 1).astype(np.float32)
    v.tofile(os.path.join(REF, name + '.f32'))
    cases.append({
        'name': name, 'kind': 'dicom-file', 'path': os.path.relpath(out, OUT), 'tool': 'ojph_expand (OpenJPH)',
        'transferSyntax': uid, 'photometric': str(ds.PhotometricInterpretation), 'shape': list(v.shape), 'tolerance': 0.0 if reversible else 1.0,
        'modality': ds.get('Modality'), 'note': 'HTJ2K',
    })


add_htj2k('htj2k_lossless_mr', 'MR_small.dcm', '1.2.840.10008.1.2.4.201', True)
add_htj2k('htj2k_lossy_ct', 'CT_small.dcm', '1.2.840.10008.1.2.4.203', False)

# ---- 12 bits stored in 16 (MONOCHROME1 CR) through the lossless codecs
cr = tf('dicomdirtests/77654033/CR1/6154')
add('jpeg_lossless_sv1_cr12', gen('jpeg_lossless_sv1_cr12.dcm', 'dcmcjpeg', '+e1', cr), 'dcmdjpeg')
add('jpeg_ls_lossless_cr12', gen('jpeg_ls_lossless_cr12.dcm', 'dcmcjpls', '+el', cr), 'dcmdjpls')
add('j2k_lossless_cr12', gen('j2k_lossless_cr12.dcm', 'gdcmconv', '--j2k', cr), 'gdcmconv --raw')
add('rle_cr12', gen('rle_cr12.dcm', 'dcmcrle', cr), 'dcmdrle')


def signed8(name):
    """8-bit two's complement grey (PixelRepresentation 1), written with pydicom."""
    ds = pydicom.dcmread(grey8)
    arr = ds.pixel_array.astype(np.int16) - 128
    ds.PixelRepresentation = 1
    ds.PixelData = arr.astype(np.int8).tobytes()
    out = os.path.join(GEN, name + '.dcm')
    ds.save_as(out)
    add(name, out, 'pydicom')


signed8('grey8_signed')

# ---- series folders
for name, rel in (('series_ct2', 'dicomdirtests/77654033/CT2'), ('series_ct5n', 'dicomdirtests/98892001/CT5N'), ('series_mr700', 'dicomdirtests/98892003/MR700')):
    dst = os.path.join(OUT, 'series', name)
    if not os.path.exists(dst):
        shutil.copytree(tf(rel), dst)
    add_series(name, dst)

# ---- NIfTI: nibabel reads the shipped files and writes variants (byte order, datatypes, scaling)
import nibabel as nib  # noqa: E402

NI = os.path.join(OUT, 'nifti')
os.makedirs(NI, exist_ok=True)


def add_nifti(name, path, note=''):
    img = nib.load(path)
    data = np.asanyarray(img.dataobj)
    if data.dtype.names:  # RGB24 structured dtype -> last axis channels
        data = np.stack([data[n] for n in data.dtype.names], axis=-1).astype(np.float64)
        arr = data
        spatial = arr.shape[:-1]
        ch = arr.shape[-1]
    else:
        arr = img.get_fdata(dtype=np.float64)
        spatial = arr.shape[:3] if arr.ndim >= 3 else arr.shape + (1,) * (3 - arr.ndim)
        ch = int(np.prod(arr.shape[3:])) if arr.ndim > 3 else 1
    arr = arr.reshape(spatial + (ch,), order='F')
    v = np.transpose(arr, (2, 1, 0, 3)).astype(np.float32)  # -> slices (k), rows (j), columns (i), channels
    v.tofile(os.path.join(REF, name + '.f32'))
    h = img.header
    cases.append({
        'name': name, 'kind': 'nifti', 'path': os.path.relpath(path, OUT), 'tool': f'nibabel {nib.__version__}',
        'shape': list(v.shape), 'tolerance': 0.0, 'affine': [float(x) for x in img.affine.reshape(-1)],
        'pixdim': [float(x) for x in h['pixdim'][1:4]], 'datatype': str(h.get_data_dtype()),
        'byteorder': h.endianness, 'note': note,
    })


def nifti_variant(name, data, affine, byteorder='<', slope=None, inter=None, nifti2=False, sform=True, gz=False):
    """Write a single-file NIfTI byte for byte with nibabel's header class, then read it back with nibabel."""
    hdr = nib.Nifti2Header() if nifti2 else nib.Nifti1Header()
    hdr.set_data_shape(data.shape)
    hdr.set_data_dtype(data.dtype)
    hdr.set_qform(affine, code=1)
    hdr.set_sform(affine if sform else None, code=2 if sform else 0)
    hdr.set_xyzt_units('mm', 'sec')
    if slope is not None:
        hdr['scl_slope'] = slope
        hdr['scl_inter'] = inter
    hdr['vox_offset'] = 544 if nifti2 else 352
    if byteorder == '>':
        hdr = hdr.as_byteswapped('>')
    buf = io.BytesIO()
    hdr.write_to(buf)
    buf.write(b'\0' * (int(hdr['vox_offset']) - buf.tell()))  # no extensions
    buf.write(data.astype(hdr.get_data_dtype()).tobytes(order='F'))
    out = os.path.join(NI, name + ('.nii.gz' if gz else '.nii'))
    with (gzip.open(out, 'wb') if gz else open(out, 'wb')) as fh:
        fh.write(buf.getvalue())
    add_nifti(name, out)


for f in ('anatomical.nii', 'functional.nii', 'example4d.nii.gz', 'example_nifti2.nii.gz', 'standard.nii.gz'):
    dst = os.path.join(NI, f)
    if not os.path.exists(dst):
        shutil.copyfile(os.path.join(NIB, f), dst)
    add_nifti(f.split('.')[0], dst)
anat_img = nib.load(os.path.join(NI, 'anatomical.nii'))
raw = np.asanyarray(anat_img.dataobj).astype(np.int64)
aff = anat_img.affine
nifti_variant('anat_le_int16_scaled', raw.astype(np.int16), aff, slope=0.5, inter=-10.0)
nifti_variant('anat_be_int16_scaled', raw.astype(np.int16), aff, byteorder='>', slope=0.25, inter=3.0)
nifti_variant('anat_le_uint8', np.clip(raw, 0, 255).astype(np.uint8), aff)
nifti_variant('anat_le_int8', np.clip(raw - 100, -128, 127).astype(np.int8), aff)
nifti_variant('anat_le_uint16_gz', raw.astype(np.uint16), aff, gz=True)
nifti_variant('anat_be_int32_scaled', (raw * 1000 - 5).astype(np.int32), aff, byteorder='>', slope=2.0, inter=1.5)
nifti_variant('anat_le_float64', raw.astype(np.float64) / 7, aff)
nifti_variant('anat_be_float32_qform_only', (raw.astype(np.float32) / 3), aff, byteorder='>', sform=False)
nifti_variant('anat_nifti2_be_int16', raw.astype(np.int16), aff, byteorder='>', nifti2=True)
nifti_variant('anat_nifti2_le_uint32_gz_scaled', raw.astype(np.uint32), aff, nifti2=True, gz=True, slope=-1.5, inter=0.0)
nifti_variant('anat_le_int64', raw.astype(np.int64) - 7, aff)
rgb = np.zeros(raw.shape, dtype=[('R', 'u1'), ('G', 'u1'), ('B', 'u1')])
rgb['R'], rgb['G'], rgb['B'] = np.clip(raw, 0, 255), np.clip(raw // 2, 0, 255), np.clip(255 - raw, 0, 255)
nifti_variant('anat_le_rgb24', rgb, aff)

# ---- broken inputs for the error-path tests (no reference values: readers must refuse them)
BROKEN = os.path.join(OUT, 'broken')
os.makedirs(BROKEN, exist_ok=True)
for f in ('MR_truncated.dcm', 'SC_rgb_jpeg.dcm', 'JPGExtended.dcm', 'rtplan.dcm'):
    shutil.copyfile(tf(f), os.path.join(BROKEN, f))

with open(os.path.join(REF, 'index.json'), 'w') as fh:
    json.dump({'version': 1, 'pydicom': pydicom.__version__, 'numpy': np.__version__, 'nibabel': nib.__version__, 'cases': cases}, fh, indent=1)
shutil.rmtree(TMP, ignore_errors=True)
print(f'{len(cases)} reference cases written to {REF}')
