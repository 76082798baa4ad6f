import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { locateInputs, parseExplainArgs } from './explain.js';

describe('parseExplainArgs', () => {
  it('defaults, its own flags, and the shared ones passed through', () => {
    expect(parseExplainArgs([])).toMatchObject({ quick: false, seed: 1, data: 'data', results: 'results', slices: 'lesion', model: undefined, patients: undefined });
    expect(parseExplainArgs(['--quick', '--model', 'runs/m', '--patients', '3', '--slices', 'top', '--seed', '4', '--jobs', '1', '--data', 'd', '--results', 'r']))
      .toMatchObject({ quick: true, model: 'runs/m', patients: 3, slices: 'top', seed: 4, jobs: 1, data: 'd', results: 'r' });
  });
  it('refuses bad values and unknown options, naming them', () => {
    expect(() => parseExplainArgs(['--patients', '0'])).toThrow('--patients must be a whole number ≥ 1, got "0"');
    expect(() => parseExplainArgs(['--patients', 'two'])).toThrow('--patients must be a whole number ≥ 1, got "two"');
    expect(() => parseExplainArgs(['--slices', 'all'])).toThrow('--slices must be one of lesion, top, got "all"');
    expect(() => parseExplainArgs(['--model'])).toThrow('--model needs a value');
    expect(() => parseExplainArgs(['--model', '--quick'])).toThrow('--model needs a value');
    expect(() => parseExplainArgs(['--seed', '--quick'])).toThrow('--seed needs a value');
    expect(() => parseExplainArgs(['--seed', '-1'])).toThrow('--seed must be a whole number');
    expect(() => parseExplainArgs(['--steps', '10'])).toThrow(/unknown option --steps: explain trains nothing/);
    expect(() => parseExplainArgs(['--rounds', '2'])).toThrow(/unknown option --rounds \(expected --model <dir>/);
  });
});

describe('locateInputs', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const touch = (path: string, text = '{}') => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  };
  /** a complete quick consortium (file presence only) and, optionally, a classify sim+ncm run */
  const setup = (withModel: boolean, task = 'classify') => {
    root = mkdtempSync(join(tmpdir(), 'unbox-explain-'));
    const dir = join(root, 'synthetic-quick');
    for (const f of ['consortium.json', 'domain-shift.json', 'D/manifest.json', 'D/ground-truth.json']) touch(join(dir, f));
    const model = join(dir, 'experiments', 'classify-seed1', 'sim+ncm');
    if (withModel) {
      touch(join(model, 'checkpoint', 'state.json'), JSON.stringify({ step: 20, config: { task, model: { mode: 'sim+ncm' } } }));
      touch(join(model, 'evaluation.json'), JSON.stringify({ steps: 20 }));
    }
    return { dir, model };
  };

  it('finds the classify run, the unseen centre and the model step', async () => {
    const { dir, model } = setup(true);
    const r = await locateInputs(parseExplainArgs(['--quick', '--data', root]));
    expect(r).toMatchObject({ dir, testCentre: 'D', manifest: join(dir, 'D', 'manifest.json'), groundTruth: join(dir, 'D', 'ground-truth.json') });
    expect(r.model).toEqual({ dir: model, step: 20, evaluation_steps: 20, mode: 'sim+ncm', predates_consortium: false });
    // its checkpoint/ folder names the same run
    expect((await locateInputs(parseExplainArgs(['--quick', '--data', root, '--model', join(model, 'checkpoint')]))).model.dir).toBe(model);
  });

  it('without the classify run: names the path and the command to run first', async () => {
    const { model } = setup(false);
    await expect(locateInputs(parseExplainArgs(['--quick', '--data', root]))).rejects.toThrow(`no trained sim+ncm classifier at ${model}`);
    await expect(locateInputs(parseExplainArgs(['--quick', '--data', root]))).rejects.toThrow(`run \`npm run experiment -- classify --quick --data ${root}\` first`);
    await expect(locateInputs(parseExplainArgs(['--quick', '--data', root, '--model', join(root, 'nowhere')]))).rejects.toThrow(`--model ${join(root, 'nowhere')}: ${join(root, 'nowhere', 'checkpoint', 'state.json')} does not exist`);
  });

  it('refuses a segmenter, an incomplete consortium and a default model older than the consortium', async () => {
    setup(true, 'segment');
    await expect(locateInputs(parseExplainArgs(['--quick', '--data', root]))).rejects.toThrow('the model is a segment model');
    rmSync(root, { recursive: true, force: true });
    const { dir, model } = setup(true);
    rmSync(join(dir, 'domain-shift.json'));
    await expect(locateInputs(parseExplainArgs(['--quick', '--data', root]))).rejects.toThrow(`${join(dir, 'domain-shift.json')} is missing`);
    touch(join(dir, 'domain-shift.json'));
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(join(model, 'checkpoint', 'state.json'), old, old);
    await expect(locateInputs(parseExplainArgs(['--quick', '--data', root]))).rejects.toThrow(/was trained before .*consortium\.json was last written/);
    // named explicitly it is only flagged
    expect((await locateInputs(parseExplainArgs(['--quick', '--data', root, '--model', model]))).model.predates_consortium).toBe(true);
  });
});
