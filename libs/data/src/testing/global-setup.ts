/**
 * vitest globalSetup for libs/data: builds the real-file reader test set once per run. A failure is
 * handed to the reader tests (which then fail with the reason) instead of failing unrelated tests.
 */
import type { TestProject } from 'vitest/node';
import { ensureTestData } from './test-data.js';

export default async function setup(project: TestProject): Promise<void> {
  try {
    const dir = await ensureTestData((s) => console.log(`[test-data] ${s}`));
    project.provide('unboxTestData', { dir, error: null });
  } catch (e) {
    project.provide('unboxTestData', { dir: null, error: (e as Error).message });
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    unboxTestData: { dir: string | null; error: string | null };
  }
}
