/**
 * End to end, in Debian's headless chromium driven by playwright-core: a real coordinator and three
 * site agents federate the 32 px classifier for two rounds with secure aggregation while a
 * consortium admin watches the rounds arrive live, site C drop out (its process frozen: the
 * coordinator records the stage it was lost at) and the t-SNE appear, then a one-round segmenter run
 * (Dice per modality and thickness); a clinician of site A opens a patient's CAM, LIME and SHAP
 * from site A's own agent, the segmenter's overlays per ventricle (one hidden by one click), its latent
 * Dice map and explanation (maps per ventricle, whose pixel counts the overlay shows), and is
 * refused site B by the dashboard and by site B's agent. Screenshots go to test-output/screenshots
 * (gitignored).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAdmin, addClinician, adminCall, APP, buildDashboard, joinSite, rejoin, serveSite, startCoordinator, startDashboard, synth, type Admin } from './consortium.js';
import { freePort, Procs, type Proc } from './processes.js';

const SHOTS = join(APP, 'test-output/screenshots');
const CHROMIUM = process.env.UNBOX_CHROMIUM ?? '/usr/bin/chromium';
const ROUNDS = 2;

/** Runs `f` on a fresh page; on failure saves what the browser showed (FAILED-<name>.png) before rethrowing. */
async function withPage(browser: Browser, name: string, f: (page: Page) => Promise<void>): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  try {
    await f(page);
  } catch (e) {
    await page.screenshot({ path: join(SHOTS, `FAILED-${name}.png`), fullPage: true }).catch(() => undefined);
    throw e;
  } finally {
    await page.close();
  }
}

type Rgba = [number, number, number, number];
interface OverlayPixels {
  /** pixels not transparent */
  total: number;
  /** of those, the pixels of each legend colour */
  byClass: number[];
}

/**
 * The segmentation overlay canvas of the slice viewer, counted (no pixels until the class map is
 * drawn into it). Colours match within 2 levels: the canvas keeps them premultiplied by alpha.
 */
async function overlayPixels(page: Page, legend: Rgba[]): Promise<OverlayPixels> {
  return page.getByTestId('seg-overlay').evaluate((el, colours) => {
    const c = el as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const byClass = colours.map(() => 0);
    let total = 0;
    for (let p = 0; p < d.length; p += 4) {
      if (d[p + 3] === 0) continue;
      total++;
      const i = colours.findIndex(([r, g, b]) => Math.abs(d[p] - r) <= 2 && Math.abs(d[p + 1] - g) <= 2 && Math.abs(d[p + 2] - b) <= 2);
      if (i >= 0) byClass[i]++;
    }
    return { total, byClass };
  }, legend);
}

async function signIn(page: Page, dashboard: string, target: string, username: string, pw: string): Promise<void> {
  await page.goto(`${dashboard}/?again=1`);
  await page.getByLabel('Sign in to').selectOption(target);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(pw);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('dashboard in a real browser against a real consortium', () => {
  const root = mkdtempSync(join(tmpdir(), 'unbox-dashboard-e2e-'));
  rmSync(join(APP, 'test-output/logs'), { recursive: true, force: true });
  const procs = new Procs(join(APP, 'test-output/logs'));
  let browser: Browser;
  let dashboard: string;
  let admin: Admin;
  let adminPw: string;
  const clinicians: Record<string, string> = {};
  const siteUrls: Record<string, string> = {};
  let centres: { centre: string; manifest: string }[];
  const joins: Record<string, Proc> = {};

  beforeAll(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    // the build (CPU) overlaps the consortium's start (mostly waiting on processes)
    const built = buildDashboard(procs).then(
      () => null,
      (e: Error) => e,
    );
    centres = await synth(procs, join(root, 'data'), 3);
    admin = await startCoordinator(procs, join(root, 'coordinator'), join(root, 'runs'));
    for (const c of centres) joins[c.centre] = await joinSite(procs, admin, c.centre, c.manifest, join(root, 'sites', c.centre));
    adminPw = await addAdmin(procs, join(root, 'coordinator'), root, 'admin');
    for (const s of ['A', 'B']) {
      clinicians[s] = await addClinician(procs, join(root, 'sites', s), root, `clin-${s.toLowerCase()}`);
      siteUrls[s] = `http://127.0.0.1:${await freePort()}`;
    }
    const buildError = await built;
    if (buildError) throw buildError;
    dashboard = await startDashboard(procs, admin.url, ['A', 'B'].map((s) => ({ centre: s, url: siteUrls[s] })), root);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  }, 600_000);

  afterAll(async () => {
    joins.C?.child.kill('SIGCONT');
    await browser?.close();
    await procs.stopAll();
  }, 60_000);

  it('refuses the API without a session; pages cannot be framed', async () => {
    const home = await fetch(`${dashboard}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('x-frame-options')).toBe('DENY');
    expect(home.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await fetch(`${dashboard}/api/coordinator/runs`)).status).toBe(401);
    expect((await fetch(`${dashboard}/api/sites/A/patients`)).status).toBe(401);
    expect((await fetch(`${dashboard}/api/live`)).status).toBe(401);
    const bad = await fetch(`${dashboard}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: 'consortium', username: 'admin', password: 'wrong-password' }) });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
  });

  it('admin: sees the rounds of a live run progress and the t-SNE of each round', async () => {
    await withPage(browser, 'admin', async (page) => {
      await signIn(page, dashboard, 'consortium', 'admin', adminPw);
      await page.waitForURL(`${dashboard}/consortium`);
      const cookie = (await page.context().cookies()).find((c) => c.name === 'unbox_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      await page.getByText('connected', { exact: true }).waitFor({ timeout: 30_000 });
      const run = await adminCall<{ run_id: string }>(admin, 'POST', '/api/runs', {
        version: 1, name: 'e2e: classifier', task: 'classify', model: 'classifier:32', rounds: ROUNDS, seed: 1, strategy: { name: 'fedavg' },
        // rounds go on with 2 of the 3 sites: C drops out below
        cohort: { min_sites: 2, threshold: 2, fit_timeout_s: 600, evaluate_timeout_s: 600 },
        train: { local_epochs: 1, batch_size: 2, lr: 0.001 }, secure_aggregation: true,
      });
      // site C stops answering as the run starts (frozen, its connection open): it is in round 1's cohort
      // and is dropped at whatever stage it reached, by the heartbeat. Freezing it only once the page shows
      // round 1 raced the run: on a loaded machine both tiny rounds could be over before the page showed one.
      joins.C.child.kill('SIGSTOP');
      // live: the run and its first round show up without a reload
      await page.getByRole('button', { name: run.run_id }).waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="round-1"]').waitFor({ timeout: 120_000 });
      await page.screenshot({ path: join(SHOTS, 'consortium-round-1.png'), fullPage: true });
      await page.locator(`[data-testid="round-${ROUNDS}"][data-status="done"]`).waitFor({ timeout: 420_000 });
      await expect.poll(() => page.locator(`[data-testid="run-progress-${run.run_id}"]`).textContent(), { timeout: 30_000 }).toBe(`${ROUNDS}/${ROUNDS}`);
      const rows = page.locator('[data-testid="rounds-table"] tbody tr');
      expect(await rows.count()).toBe(ROUNDS);
      expect(await rows.first().textContent()).toMatch(/A, B/);
      const dropped = page.locator('[data-testid="rounds-table"] .badge.bad', { hasText: /^C @ [a-z_]+$/ });
      await dropped.first().waitFor({ timeout: 5000 });
      // t-SNE of the last round: one symbol per shared point, coloured by centre
      const tsne = page.locator('[data-testid="tsne-chart"]');
      await tsne.waitFor({ timeout: 60_000 });
      expect(Number(await tsne.getAttribute('data-points'))).toBeGreaterThan(0);
      expect(await tsne.locator('.recharts-scatter-symbol').count()).toBe(Number(await tsne.getAttribute('data-points')));
      // per-centre metrics: accuracy on the test split; AUC and curves on the train split (both classes there)
      await page.getByRole('group', { name: 'Metric' }).getByRole('button', { name: 'Accuracy' }).click();
      await page.locator('[data-testid="metrics-chart"] .recharts-line-curve').first().waitFor({ state: 'attached' });
      await page.getByRole('group', { name: 'Evaluation split' }).getByRole('button', { name: 'train' }).click();
      await page.getByRole('group', { name: 'Metric' }).getByRole('button', { name: 'AUC' }).click();
      // A and B over the rounds (C froze before it could evaluate); the last round's curves: A and B only
      await expect.poll(() => page.locator('[data-testid="metrics-chart"] .recharts-line-curve').count()).toBeGreaterThanOrEqual(2);
      expect(await page.locator('[data-testid="roc-chart"] .recharts-line-curve').count()).toBe(2);
      expect(await page.locator('[data-testid="pr-chart"] .recharts-line-curve').count()).toBe(2);
      expect(await page.getByTestId('round-table').locator('tbody tr').allTextContents()).toEqual([expect.stringMatching(/^A\d/), expect.stringMatching(/^B\d/)]);
      await page.screenshot({ path: join(SHOTS, 'consortium-done.png'), fullPage: true });
      // the admin has no business with a site's patients
      expect(await page.evaluate(() => fetch('/api/sites/A/patients').then((r) => r.status))).toBe(403);
    });
  }, 600_000);

  it('admin: a segmenter run of A and B shows Dice per modality and slice thickness', async () => {
    // the agents take the segmenter's trainer (as npm start does between its runs); C stays out
    joins.C.child.kill('SIGCONT');
    for (const c of ['A', 'B', 'C']) joins[c].child.kill('SIGTERM');
    await Promise.all(['A', 'B', 'C'].map((c) => joins[c].exited));
    for (const c of ['A', 'B']) joins[c] = rejoin(procs, admin, c, centres.find((x) => x.centre === c)!.manifest, join(root, 'sites', c), 'segmenter:32');
    await withPage(browser, 'segmenter', async (page) => {
      await signIn(page, dashboard, 'consortium', 'admin', adminPw);
      await page.waitForURL(`${dashboard}/consortium`);
      const run = await adminCall<{ run_id: string }>(admin, 'POST', '/api/runs', {
        version: 1, name: 'e2e: segmenter', task: 'segment', model: 'segmenter:32', rounds: 1, seed: 1, strategy: { name: 'fedavg' },
        cohort: { min_sites: 2, threshold: 2, fit_timeout_s: 600, evaluate_timeout_s: 600 },
        train: { local_epochs: 1, batch_size: 8, lr: 0.001 }, secure_aggregation: true,
      });
      // the view follows the new run
      await page.getByRole('heading', { name: `Rounds of ${run.run_id}` }).waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="round-1"][data-status="done"]').waitFor({ timeout: 300_000 });
      expect(await page.locator('[data-testid="rounds-table"] tbody tr').first().textContent()).toMatch(/A, B/);
      await page.getByRole('group', { name: 'Evaluation split' }).getByRole('button', { name: 'train' }).click();
      const metric = page.getByRole('group', { name: 'Metric' });
      const dice = metric.getByRole('button', { name: /^Dice (CT|MRI) (thick|thin|mixed)$/ });
      await dice.first().waitFor({ timeout: 30_000 });
      expect(await metric.getByRole('button', { name: 'AUC' }).count()).toBe(0);
      // every modality/thickness group some centre reports on some split; on train at least one has lines
      let lines = 0;
      for (let i = 0; i < (await dice.count()) && lines === 0; i++) {
        await dice.nth(i).click();
        await expect.poll(() => dice.nth(i).getAttribute('aria-pressed')).toBe('true');
        // one round: one dot per centre, no curve yet
        lines = await page.locator('[data-testid="metrics-chart"] .recharts-line').count();
      }
      expect(lines).toBeGreaterThan(0);
      expect(await page.getByTestId('round-table').locator('thead').textContent()).toMatch(/Dice (CT|MRI)/);
      await page.screenshot({ path: join(SHOTS, 'consortium-segmenter.png'), fullPage: true });
    });
  }, 600_000);

  it("clinician of A: opens a patient's CAM, LIME and SHAP, scrolls with the keyboard, the segmenter's overlays, latent Dice map and explanation; refused site B", async () => {
    for (const s of ['A', 'B']) {
      const c = centres.find((x) => x.centre === s)!;
      const url = await serveSite(procs, s, join(root, 'sites', s), c.manifest, Number(new URL(siteUrls[s]).port));
      expect(url).toBe(siteUrls[s]);
    }
    await withPage(browser, 'clinician', async (page) => {
      await signIn(page, dashboard, 'A', 'clin-a', clinicians.A);
      await page.waitForURL(`${dashboard}/sites/A`);
      const first = page.locator('[data-testid="patient-list"] tbody tr button').first();
      await first.waitFor({ timeout: 120_000 });
      await first.press('Enter');
      await page.getByTestId('explain').click();
      for (const id of ['cam-img', 'lime-img', 'shap-img']) {
        const img = page.getByTestId(id).first();
        await img.waitFor({ timeout: 300_000 });
        await expect.poll(() => img.evaluate((e) => (e as HTMLImageElement).complete && (e as HTMLImageElement).naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
      }
      expect(await page.getByTestId('lime-values').first().getAttribute('aria-label')).toMatch(/superpixel \d+ -?\d/);
      await page.getByTestId('sections-chart').waitFor();
      const stack = page.getByTestId('slice-stack');
      const before = Number(await stack.getAttribute('data-slice'));
      await stack.focus();
      await page.keyboard.press(before > 0 ? 'ArrowUp' : 'ArrowDown');
      expect(Number(await stack.getAttribute('data-slice'))).toBe(before > 0 ? before - 1 : before + 1);
      await page.keyboard.press(before > 0 ? 'ArrowDown' : 'ArrowUp');
      await page.getByTestId('cam-overlay').waitFor();
      // CT window/level: the agent renders the slice through the chosen HU window
      await page.getByLabel('Window/level preset').selectOption('lung');
      const slice = page.getByTestId('slice-img');
      await expect.poll(() => slice.getAttribute('src')).toMatch(/window=1500&level=-600/);
      await expect.poll(() => slice.evaluate((e) => (e as HTMLImageElement).complete && (e as HTMLImageElement).naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
      await page.screenshot({ path: join(SHOTS, 'site-A-patient.png'), fullPage: true });

      // the segmenter: overlay per ventricle (one hidden), the latent Dice map with this patient on it, its explanation
      await page.getByRole('button', { name: 'Ventricle segmenter' }).click();
      const head = page.locator('[data-testid="patient-list"] tbody tr button', { hasText: /^A-[HM]\d+$/ }).first();
      await head.waitFor({ timeout: 120_000 });
      await head.click();
      // one click hides the ventricle with the most pixels on the slice shown; the choice stays as the
      // patient's data (volume, latent Dice map) arrive and the view renders again
      const legend = (await page.evaluate(() => fetch('/api/sites/A/site').then((r) => r.json()))) as { segmentation_legend: { class: number; rgba: Rgba }[] };
      const colours = legend.segmentation_legend.map((l) => l.rgba);
      await expect.poll(async () => (await overlayPixels(page, colours)).total, { timeout: 60_000 }).toBeGreaterThan(0);
      const drawn = await overlayPixels(page, colours);
      const k = drawn.byClass.indexOf(Math.max(...drawn.byClass));
      expect(drawn.byClass[k]).toBeGreaterThan(0);
      const ventricle = page.getByRole('group', { name: 'Ventricles shown' }).getByRole('checkbox').nth(k);
      await ventricle.uncheck();
      const hiddenK = { total: drawn.total - drawn.byClass[k], byClass: drawn.byClass.map((n, i) => (i === k ? 0 : n)) };
      await expect.poll(() => overlayPixels(page, colours), { timeout: 10_000 }).toEqual(hiddenK);
      await page.locator('#patient').getByText(/\d+ slices, \d+×\d+/).waitFor({ timeout: 60_000 });
      const map = page.getByTestId('latent-dice');
      await map.waitFor({ timeout: 300_000 });
      expect(await map.locator('circle[fill="#e00"]').count()).toBeGreaterThan(0);
      expect(await ventricle.isChecked()).toBe(false);
      expect(await overlayPixels(page, colours)).toEqual(hiddenK);

      // Explain: the segmenter's maps per ventricle of its explained slices; the viewer goes to the first one,
      // where the overlay holds the explanation's pixels per ventricle (the hidden one still hidden)
      await page.getByTestId('explain').click();
      const ventricleMap = page.getByTestId('ventricle-map').first();
      await ventricleMap.waitFor({ timeout: 120_000 });
      await expect.poll(() => ventricleMap.evaluate((e) => (e as HTMLImageElement).complete && (e as HTMLImageElement).naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
      // the same explanation.json through the relay, which checked it against the protocol's schema
      const patientId = (await head.textContent())!;
      const explanation = await page.evaluate((id) => fetch(`/api/sites/A/patients/${id}/explanation?task=segment`).then(async (r) => ({ status: r.status, body: await r.json() })), patientId);
      expect(explanation.status).toBe(200);
      const seg = explanation.body as { task: string; patient: string; slices: { index: number; classes: { class: number; pixels: number; dice: number | null }[] }[] };
      expect(seg).toMatchObject({ task: 'segment', patient: patientId });
      const top = seg.slices[0];
      expect(Number(await page.getByTestId('slice-stack').getAttribute('data-slice'))).toBe(top.index);
      expect(await page.getByTestId('ventricle-map').count()).toBe(top.classes.length);
      for (const c of top.classes) {
        expect(c.pixels).toBeGreaterThanOrEqual(0);
        expect(c.pixels).toBeLessThanOrEqual(32 * 32);
        // Dice against the label map, where the scan has one
        if (c.dice !== null) {
          expect(c.dice).toBeGreaterThanOrEqual(0);
          expect(c.dice).toBeLessThanOrEqual(1);
        }
      }
      expect(await page.locator('#ventricles figcaption').allTextContents()).toEqual(top.classes.map((c) => expect.stringContaining(`: ${c.pixels} px`)));
      const classes = legend.segmentation_legend.map((l) => l.class);
      const onSlice = classes.map((cls, i) => (i === k ? 0 : (top.classes.find((c) => c.class === cls)?.pixels ?? 0)));
      await expect.poll(async () => (await overlayPixels(page, colours)).byClass, { timeout: 10_000 }).toEqual(onSlice);
      expect(await ventricle.isChecked()).toBe(false);
      await page.screenshot({ path: join(SHOTS, 'site-A-segmenter.png'), fullPage: true });

      // a long explanation (the paper's defaults) shows its progress while the page stays usable
      await page.getByRole('button', { name: 'Chest CT classifier' }).click();
      await page.locator('[data-testid="patient-list"] tbody tr button', { hasText: /^A-C\d+$/ }).nth(1).click();
      await page.getByLabel('Explanation quality').selectOption('standard');
      await page.getByTestId('explain').click();
      await page.locator('progress').waitFor({ timeout: 60_000 });
      const again = page.getByTestId('slice-stack');
      const at = Number(await again.getAttribute('data-slice'));
      await again.focus();
      await page.keyboard.press('End');
      expect(Number(await again.getAttribute('data-slice'))).toBeGreaterThan(at);
      await page.screenshot({ path: join(SHOTS, 'site-A-explaining.png') });

      // site B: refused by the dashboard (page and API), and by site B's agent itself
      expect(await page.evaluate(() => fetch('/api/sites/B/patients').then((r) => r.status))).toBe(403);
      expect(await page.evaluate(() => fetch('/api/coordinator/runs').then((r) => r.status))).toBe(403);
      const resp = await page.goto(`${dashboard}/sites/B`);
      expect(resp?.status()).toBe(403);
      await page.getByText('403: not allowed').waitFor();
      await page.screenshot({ path: join(SHOTS, 'site-B-refused.png') });
      const login = await fetch(`${siteUrls.A}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'clin-a', password: clinicians.A }) });
      const { token } = (await login.json()) as { token: string };
      expect((await fetch(`${siteUrls.A}/patients`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${siteUrls.B}/patients`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    });
  }, 600_000);
});
