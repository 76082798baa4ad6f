/** The test-data directory prepared by global-setup.ts; throws (failing the test) when it could not be built. */
import { inject } from 'vitest';
import './global-setup.js';

export function requireTestData(): string {
  const td = inject('unboxTestData');
  if (!td) throw new Error('reader test data missing: libs/data/vitest.config.mts must name src/testing/global-setup.ts as globalSetup');
  if (td.error || !td.dir) throw new Error(td.error ?? 'reader test data missing');
  return td.dir;
}
