import { describe, expect, it } from 'vitest';
import { CoordinatorLoginResponse, DashboardRoundEvent, LoginRequest, Password, SessionToken, SiteLoginResponse, Username } from './dashboard.js';

describe('dashboard schemas', () => {
  it('usernames: letters, digits and . _ @ -, starting with a letter or digit, at most 64', () => {
    for (const ok of ['alice', 'Dr.Who', 'a_b-c@site', '7']) expect(Username.safeParse(ok).success).toBe(true);
    for (const bad of ['', 'a b', '.alice', 'x'.repeat(65), 'é']) expect(Username.safeParse(bad).success).toBe(false);
  });

  it('passwords to set are at least 8 characters; a login password is any non-empty string (old accounts still sign in)', () => {
    expect(Password.safeParse('1234567').success).toBe(false);
    expect(Password.safeParse('12345678').success).toBe(true);
    expect(LoginRequest.safeParse({ username: 'a', password: 'x' }).success).toBe(true);
    expect(LoginRequest.safeParse({ username: 'a', password: '' }).success).toBe(false);
    expect(LoginRequest.safeParse({ username: 'a', password: 'x', role: 'admin' }).success).toBe(false);
  });

  it('session tokens are <base64url payload>.<43-character base64url HMAC>', () => {
    const sig = 'A'.repeat(43);
    expect(SessionToken.safeParse(`eyJ2IjoxfQ.${sig}`).success).toBe(true);
    expect(SessionToken.safeParse(`eyJ2IjoxfQ.${sig}A`).success).toBe(false);
    expect(SessionToken.safeParse(`eyJ2Ijox+Q.${sig}`).success).toBe(false);
    const token = `eyJ2IjoxfQ.${sig}`;
    expect(CoordinatorLoginResponse.safeParse({ token, role: 'admin', username: 'alice', expires_at: 1 }).success).toBe(true);
    expect(CoordinatorLoginResponse.safeParse({ token, role: 'clinician', username: 'alice', expires_at: 1 }).success).toBe(false);
    expect(SiteLoginResponse.safeParse({ token, role: 'clinician', username: 'bob', site: 'centre-a', expires_at: 1 }).success).toBe(true);
  });

  it('a round event carries one attempt with cohort and dropouts', () => {
    const round = { round: 1, attempt: 2, status: 'running', phase: 'fit', secure: true, model_hash_in: 'a', model_hash_out: null, failure: null, started_at: 5, ended_at: null, cohort: ['A'], evaluators: [], dropouts: [{ site: 'B', stage: 'fit', reason: 'gone', at: 6 }] };
    expect(DashboardRoundEvent.parse({ run_id: 'r1', round })).toEqual({ run_id: 'r1', round });
    expect(DashboardRoundEvent.safeParse({ run_id: 'r1', round: { ...round, status: 'waiting' } }).success).toBe(false);
  });
});
