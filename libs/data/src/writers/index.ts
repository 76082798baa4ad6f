export * from './uid.js';
export * from './dicom-elements.js';
export * from './dicom.js';
export * from './nifti.js';
export * from './write.js';
export * from './png.js';
