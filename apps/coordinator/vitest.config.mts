import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['src/**/*.test.ts'], globalSetup: ['../../tools/testing/private-tmpdir.ts'], passWithNoTests: false, testTimeout: 60_000, hookTimeout: 60_000 },
});
