import { describe, expect, it } from 'vitest';
import { parseConfig, parseSessionKey, parseSites } from './config.js';

describe('dashboard configuration', () => {
  it('parses UNBOX_SITES in order, trailing slashes dropped', () => {
    expect(parseSites('A=http://127.0.0.1:8731/, B=http://h:1/x/')).toEqual([
      { site: 'A', url: 'http://127.0.0.1:8731' },
      { site: 'B', url: 'http://h:1/x' },
    ]);
    expect(parseSites(undefined)).toEqual([]);
    expect(parseSites('  ')).toEqual([]);
  });
  it('names the variable and the fault', () => {
    expect(() => parseSites('A')).toThrow(/UNBOX_SITES: "A" is not SITE=URL/);
    expect(() => parseSites('A=ftp://x')).toThrow(/UNBOX_SITES: "ftp:\/\/x" is not an http/);
    expect(() => parseSites('A=http://x,A=http://y')).toThrow(/listed twice/);
    expect(() => parseSites('a b=http://x')).toThrow(/not a site id/);
    expect(() => parseConfig({ UNBOX_COORDINATOR_URL: 'nope' })).toThrow(/UNBOX_COORDINATOR_URL: "nope" is not a URL/);
    expect(parseConfig({ UNBOX_COORDINATOR_URL: 'http://127.0.0.1:8470/' }).coordinatorUrl).toBe('http://127.0.0.1:8470');
  });
  it('session key from hex or a file; bad keys named', () => {
    const hex = 'ab'.repeat(32);
    expect(parseSessionKey({ UNBOX_DASHBOARD_SECRET: hex })?.toString('hex')).toBe(hex);
    expect(parseSessionKey({ UNBOX_DASHBOARD_SECRET_FILE: '/k' }, () => `${hex}\n`)?.length).toBe(32);
    expect(parseSessionKey({})).toBeNull();
    expect(() => parseSessionKey({ UNBOX_DASHBOARD_SECRET: 'abc' })).toThrow(/UNBOX_DASHBOARD_SECRET: expected 64 hex digits/);
    expect(() => parseSessionKey({ UNBOX_DASHBOARD_SECRET_FILE: '/nope' }, () => {
      throw new Error('ENOENT');
    })).toThrow(/UNBOX_DASHBOARD_SECRET_FILE \(\/nope\): cannot read: ENOENT/);
  });
});
