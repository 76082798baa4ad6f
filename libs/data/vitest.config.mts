import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    passWithNoTests: false,
    testTimeout: 60_000,
    // builds the real DICOM/NIfTI reader test set (.cache/test-data) once per run
    globalSetup: ['src/testing/global-setup.ts'],
  },
});
