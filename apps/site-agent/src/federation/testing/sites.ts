/** Simulated sites for the federation tests: enrolled for real, each with its own folder and data. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiteAgent, type AgentOptions } from '../agent.js';
import { enrollSite } from '../enroll.js';
import { loadIdentity } from '../identity.js';
import { LogisticTrainer, syntheticCentre, type SplitData } from '../logistic-trainer.js';
import type { CoordinatorProcess } from './coordinator-process.js';

export interface SimSite {
  id: string;
  dir: string;
  data: SplitData;
  trainer: LogisticTrainer;
  agent: SiteAgent | null;
  connect(extra?: Partial<AgentOptions>): Promise<SiteAgent>;
}

export function siteData(index: number, d: number, n = 60): SplitData {
  return {
    train: syntheticCentre({ n, d, seed: 1000 + index, offset: 0.1 * (index % 3) }),
    test: syntheticCentre({ n: 30, d, seed: 5000 + index, offset: 0.1 * (index % 3) }),
  };
}

export async function enrollSim(c: CoordinatorProcess, id: string, index: number, d: number, n?: number): Promise<SimSite> {
  const add = await c.admin<{ token: string }>('POST', '/api/sites', { site_id: id });
  if (add.status !== 201 && add.status !== 200) throw new Error(`site add ${id}: ${add.status} ${JSON.stringify(add.body)}`);
  const dir = mkdtempSync(join(tmpdir(), `unbox-site-${id}-`));
  await enrollSite({ coordinator: c.url, token: add.body.token, siteDir: dir });
  const data = siteData(index, d, n);
  const trainer = new LogisticTrainer(id, data);
  const site: SimSite = {
    id,
    dir,
    data,
    trainer,
    agent: null,
    async connect(extra = {}) {
      const agent = new SiteAgent(c.url, { identity: loadIdentity(dir), trainer, peersPath: join(dir, 'peers.json'), statePath: join(dir, 'state.json'), localPath: join(dir, 'local-model'), reconnectDelayMs: 100, reconnectDelayMaxMs: 500, ...extra });
      site.agent = agent;
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${id} did not authenticate`)), 20_000);
        agent.socket.once('auth.result', (r: { ok: boolean; reason?: string }) => {
          clearTimeout(t);
          if (r.ok) resolve();
          else reject(new Error(`${id} refused: ${r.reason}`));
        });
        agent.start();
      });
      return agent;
    },
  };
  return site;
}
