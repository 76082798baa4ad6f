import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues, fieldPath } from './issues.js';

describe('schema issues in words', () => {
  it('fields read as in code; an empty path names the whole document', () => {
    expect(fieldPath(['slices', 0, 'shap', 'base_value'])).toBe('slices[0].shap.base_value');
    expect(fieldPath([])).toBe('(the whole body)');
    expect(fieldPath([], '(the whole config)')).toBe('(the whole config)');
  });

  it('the first few of many issues, and how many more', () => {
    const issues = ['a', 'b', 'c', 'd', 'e'].map((f) => ({ code: 'custom' as const, path: [f], message: 'bad', input: 1 }));
    expect(describeIssues(issues)).toBe('a: bad; b: bad; c: bad; and 2 more');
    expect(describeIssues(issues.slice(0, 1))).toBe('a: bad');
    expect(describeIssues(issues, Infinity)).toBe('a: bad; b: bad; c: bad; d: bad; e: bad');
  });

  it('formats a real zod failure', () => {
    const r = z.strictObject({ steps: z.number().int().min(1), xs: z.array(z.number()) }).safeParse({ steps: 0, xs: [1, 'x'] });
    expect(!r.success && describeIssues(r.error.issues)).toMatch(/^steps: .*>=1.*; xs\[1\]: .*expected number/i);
  });
});
