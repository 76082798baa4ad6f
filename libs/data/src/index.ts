export * from './volume.js';
export * from './manifest/schema.js';
export * from './preprocess/index.js';
export * from './dicom/index.js';
export * from './nifti/index.js';
export * from './slices/index.js';
export * from './read.js';
export * from './manifest/index.js';
export { ensureTestData, testDataDir, missingPrerequisites, loadReferenceIndex, readReference, TEST_DATA_APT_PACKAGES, type ReferenceCase, type ReferenceIndex } from './testing/test-data.js';
