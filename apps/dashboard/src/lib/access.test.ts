import { describe, expect, it } from 'vitest';
import { decide, homeOf } from './access.js';
import type { Session } from './session.js';

const base = { token: 't', exp: 1 };
const admin: Session = { ...base, role: 'admin', username: 'root', site: null };
const clinA: Session = { ...base, role: 'clinician', username: 'ana', site: 'A' };

describe('role checks', () => {
  it('consortium view: admins only', () => {
    expect(decide(admin, { kind: 'consortium' })).toBe('ok');
    expect(decide(clinA, { kind: 'consortium' })).toBe('forbidden');
    expect(decide(null, { kind: 'consortium' })).toBe('signin');
  });
  it('a site: its own clinicians only (not other sites, not the admin: the coordinator never sees pixels)', () => {
    expect(decide(clinA, { kind: 'site', site: 'A' })).toBe('ok');
    expect(decide(clinA, { kind: 'site', site: 'B' })).toBe('forbidden');
    expect(decide(clinA, { kind: 'site', site: 'a' })).toBe('forbidden');
    expect(decide(admin, { kind: 'site', site: 'A' })).toBe('forbidden');
    expect(decide(null, { kind: 'site', site: 'A' })).toBe('signin');
  });
  it('home after sign-in', () => {
    expect(homeOf(admin)).toBe('/consortium');
    expect(homeOf({ ...clinA, site: 'B 1' })).toBe('/sites/B%201');
  });
});
