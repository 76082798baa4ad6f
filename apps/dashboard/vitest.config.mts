import { defineConfig } from 'vitest/config';

// Unit tests of the dashboard's own logic, and the end-to-end test (src/e2e) that builds the app,
// starts a real coordinator, site agents and the dashboard, and drives Debian's chromium.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['../../tools/testing/private-tmpdir.ts'],
    passWithNoTests: false,
    testTimeout: 60_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
