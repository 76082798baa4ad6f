import { ExplanationJson } from '@unbox/protocol';
import { describe, expect, it } from 'vitest';
import { checkExplanation, isExplanationRoute } from './explanation-relay.js';

const provenance = {
  backend: 'unbox-native', seed: 0, config: {}, versions: { node: '20.20.0' }, created: '2026-11-27T00:00:00Z',
  model: { dir: 'models/classify', hash: 'a'.repeat(64), step: 10 }, params: { slices: 'top', top: 2, fill: 'mean' },
};

/** a classify explanation.json as the site agent writes it (one explained slice) */
const classify = () => ({
  task: 'classify', patient: 'A-C001', centre: 'A', mode: 'sim', probability: 0.7,
  sections: [{ slices: [0, 3], logit: 0.85, probability: 0.7 }], slice_scores: [0.1, 0.2, 0.3, -0.4], cam_grid: [4, 4],
  slices: [{
    index: 2, score: 0.3, probability: 0.57, cam_png: 'cam_2.png', boxes: [[1, 2, 3, 4]], box_areas: [9], box_peaks: [0.9], superpixels: { count: 2 },
    lime: { png: 'lime_2.png', weights: [0.1, -0.2], intercept: 0.5, score: 0.9, local_pred: 0.4, fx: 0.3, num_samples: 150 },
    shap: { png: 'shap_2.png', values: [0.1, 0.2], base_value: 0.1, fx: 0.3, nsamples: 150, exact: false },
  }],
  ...provenance,
});

const segment = () => ({
  task: 'segment', patient: 'A-H001', centre: 'A',
  slices: [{ index: 4, classes: [{ class: 1, png: 'seg_4_1.png', pixels: 31, dice: 0.62 }], overlay_png: 'seg_4.png' }],
  dice_map: null,
  ...provenance,
});

const upstream = (status: number, body: string) => new Response(body, { status, headers: { 'content-type': 'application/json', 'x-unbox-cache-key': 'k1' } });

async function relayed(body: unknown): Promise<{ status: number; json: { error?: string } & Record<string, unknown>; res: Response }> {
  const res = await checkExplanation(upstream(200, JSON.stringify(body)), 'site A');
  return { status: res.status, json: (await res.json()) as { error?: string }, res };
}

describe('explanation.json checked by the relay', () => {
  it('only the explanation JSON route, not its PNGs or other routes', () => {
    expect(isExplanationRoute(['patients', 'A-C001', 'explanation'])).toBe(true);
    expect(isExplanationRoute(['patients', 'A-C001', 'explanation', 'cam_2.png'])).toBe(false);
    expect(isExplanationRoute(['patients', 'A-C001', 'volume'])).toBe(false);
    expect(isExplanationRoute(['patients'])).toBe(false);
  });

  it('a valid classify or segment explanation passes, as the schema reads it, headers kept', async () => {
    for (const e of [classify(), segment()]) {
      const { status, json, res } = await relayed(e);
      expect(status).toBe(200);
      expect(json).toEqual(ExplanationJson.parse(e));
      expect(json.patient).toBe(e.patient);
      expect(res.headers.get('x-unbox-cache-key')).toBe('k1');
      expect(res.headers.get('content-type')).toBe('application/json');
    }
    // the parameter defaults are filled in, as every reader of explanation.json sees them
    expect((await relayed(classify())).json.params).toMatchObject({ top: 2, segments: 50, limeSamples: 1000 });
  });

  it('a malformed explanation is a 502 naming the site and the field that was wrong', async () => {
    const e = classify();
    (e.slices[0] as { score: unknown }).score = 'high';
    const r = await relayed(e);
    expect(r.status).toBe(502);
    expect(r.json.error).toMatch(/^site A sent a malformed explanation: slices\[0\]\.score: .*expected number/);

    const noPatient: Partial<ReturnType<typeof segment>> = segment();
    delete noPatient.patient;
    expect((await relayed(noPatient)).json.error).toMatch(/: patient: /);

    const badBox = classify();
    badBox.slices[0].boxes = [[1, 2, 3]] as unknown as [number, number, number, number][];
    expect((await relayed(badBox)).json.error).toMatch(/slices\[0\]\.boxes\[0\]/);

    const r2 = await relayed({ ...classify(), task: 'detect' });
    expect(r2.status).toBe(502);
    expect(r2.json.error).toMatch(/: task: /);
  });

  it('a body that is not JSON is a 502 too', async () => {
    const res = await checkExplanation(upstream(200, '<html>proxy error</html>'), 'site B');
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: string }).error).toMatch(/^site B sent an explanation that is not JSON: /);
  });

  it('progress (202) and errors pass through untouched', async () => {
    const computing = upstream(202, JSON.stringify({ status: 'computing', progress: { done: 1, total: 4, what: 'lime' } }));
    expect(await checkExplanation(computing, 'site A')).toBe(computing);
    const missing = upstream(404, JSON.stringify({ error: 'no patient X' }));
    expect(await checkExplanation(missing, 'site A')).toBe(missing);
  });
});
