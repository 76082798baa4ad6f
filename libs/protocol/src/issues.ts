/**
 * Schema issues in words a person can act on: "slices[0].shap.base_value: expected number". One
 * formatter for every place that shows a zod failure to a user (the dashboard's relay, the site's
 * training config); the wire's ProtocolError keeps its own machine-readable `field`.
 */
import type { z } from 'zod';

/** A schema issue's field as written in code (slices[0].shap.base_value); `whole` names an empty path. */
export function fieldPath(path: readonly PropertyKey[], whole = '(the whole body)'): string {
  if (!path.length) return whole;
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

/** The first `max` issues as "field: reason", joined with "; " (and how many more there were). */
export function describeIssues(issues: readonly z.core.$ZodIssue[], max = 3, whole?: string): string {
  const shown = issues.slice(0, max).map((i) => `${fieldPath(i.path, whole)}: ${i.message}`);
  return shown.join('; ') + (issues.length > max ? `; and ${issues.length - max} more` : '');
}
