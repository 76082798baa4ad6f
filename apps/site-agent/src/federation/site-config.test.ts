import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSiteConfig, SiteConfigError } from './site-config.js';

const dir = () => mkdtempSync(join(tmpdir(), 'unbox-site-config-'));

describe('site config (site.json)', () => {
  it('shares nothing unless the site opts in', () => {
    expect(loadSiteConfig(dir()).share_features).toEqual({ enabled: false, max_samples: 64, noise_sigma: 0 });
    const d = dir();
    writeFileSync(join(d, 'site.json'), '{}');
    expect(loadSiteConfig(d).share_features.enabled).toBe(false);
  });

  it('reads the opt-in with its cap and noise from <site-dir>/site.json or --config', () => {
    const d = dir();
    writeFileSync(join(d, 'site.json'), JSON.stringify({ share_features: { enabled: true, noise_sigma: 0.5 } }));
    expect(loadSiteConfig(d).share_features).toEqual({ enabled: true, max_samples: 64, noise_sigma: 0.5 });
    const other = join(dir(), 'mine.json');
    writeFileSync(other, JSON.stringify({ share_features: { enabled: true, max_samples: 10 } }));
    expect(loadSiteConfig(d, other).share_features).toEqual({ enabled: true, max_samples: 10, noise_sigma: 0 });
  });

  it('refuses a typo, a cap above the protocol limit, bad JSON and a missing --config, naming file and field', () => {
    const d = dir();
    const f = join(d, 'site.json');
    writeFileSync(f, JSON.stringify({ share_features: { enabeld: true } }));
    expect(() => loadSiteConfig(d)).toThrow(new SiteConfigError(`${f}: field 'share_features.enabeld': unknown field`));
    writeFileSync(f, JSON.stringify({ share_features: { enabled: true, max_samples: 100_000 } }));
    expect(() => loadSiteConfig(d)).toThrow(/field 'share_features.max_samples'/);
    writeFileSync(f, JSON.stringify({ share_features: { noise_sigma: -1 } }));
    expect(() => loadSiteConfig(d)).toThrow(/field 'share_features.noise_sigma'/);
    writeFileSync(f, '{ nope');
    expect(() => loadSiteConfig(d)).toThrow(/site.json: not valid JSON/);
    expect(() => loadSiteConfig(d, join(d, 'absent.json'))).toThrow(/absent.json: site config not found/);
  });
});
