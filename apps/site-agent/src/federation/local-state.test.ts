import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLocal, writeLocal } from './local-state.js';

const t = (name: string, data: number[], shape = [data.length]) => ({ name, shape, data: Float32Array.from(data) });

describe("the site's own tensors across restarts", () => {
  const dir = mkdtempSync(join(tmpdir(), 'unbox-local-'));
  const template = [t('conv/kernel', [0, 0]), t('bn/moving_mean', [0])];

  it('restores what was written, in the order of the site network', () => {
    const path = join(dir, 'a');
    expect(readLocal(path, template)).toEqual({ tensors: template, restored: false });
    writeLocal(path, [t('bn/moving_mean', [3]), t('conv/kernel', [1, 2])]);
    const back = readLocal(path, template);
    expect(back.restored).toBe(true);
    expect(back.tensors.map((x) => [x.name, Array.from(x.data)])).toEqual([['conv/kernel', [1, 2]], ['bn/moving_mean', [3]]]);
  });

  it('sets aside a save of another network or with damaged bytes, naming why', () => {
    const other = join(dir, 'b');
    writeLocal(other, [t('conv/kernel', [1, 2, 3]), t('bn/moving_mean', [3])]);
    expect(readLocal(other, template)).toMatchObject({ tensors: template, restored: false, problem: expect.stringMatching(/'conv\/kernel' was saved with shape \[3\], the site's network has \[2\]/) });
    const fewer = join(dir, 'c');
    writeLocal(fewer, [t('conv/kernel', [1, 2])]);
    expect(readLocal(fewer, template).problem).toMatch(/1 tensors saved, the site's network has 2/);
    const damaged = join(dir, 'd');
    writeLocal(damaged, template);
    writeFileSync(`${damaged}.bin`, new Uint8Array(12).fill(7));
    expect(readLocal(damaged, template)).toMatchObject({ restored: false, problem: expect.stringMatching(/\/d: model hash mismatch/) });
  });
});
