/**
 * `npm run bench -- secagg [--sites 4,10,32] [--params 100000,1000000] [--dropout 0,0.3]
 *  [--drop-stage masked-input|unmasking|both] [--prg chacha20|aes-256-ctr] [--repeat N] [--seed N]`
 *
 * One whole secure-aggregation round (Bonawitz et al. 2017 with the signed consistency check,
 * libs/secagg) per configuration, run in memory through the real client and server states.
 * Dropout is a fraction of the sites; `masked-input` drops them after they shared keys but before
 * their masked input (the coordinator must reconstruct their mask keys and strip their pairwise
 * masks: the costly case), `unmasking` after their masked input (only self masks to strip).
 * One JSON line per configuration (shared/notes/result-formats.md: {"bench": "secagg", "sites",
 * "params", "dropout", "client_ms", "coordinator_ms", "bytes_per_site", "plain_bytes"} plus
 * backend, seed, config, versions, created). client_ms: mean wall-clock compute per site over the
 * sites that finished (quantisation, keys, shares, masks, signatures); coordinator_ms: all server
 * compute; *_cpu_ms: the same as process CPU time (a loaded machine inflates wall time, not this);
 * bytes_per_site: mean payload a finishing site sent; plain_bytes: the update as float32.
 * The median of `--repeat` rounds is reported. Update values come from a seeded PRNG; the
 * protocol's own keys and masks use crypto randomness, as they must.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { rng } from '@unbox/models';
import { defaultThreshold, generateIdentity, resolveParams, runInMemoryRound, type DriverReport, type PrgAlgorithm, type Stage } from '@unbox/secagg';

interface Args {
  sites: number[];
  params: number[];
  dropout: number[];
  dropStage: 'masked-input' | 'unmasking' | 'both';
  prg: PrgAlgorithm;
  repeat: number;
  seed: number;
}

function parseArgs(args: string[]): Args {
  const out: Args = { sites: [4, 10, 32], params: [100_000, 1_000_000], dropout: [0, 0.3], dropStage: 'both', prg: 'chacha20', repeat: 3, seed: 0 };
  const list = (key: string, val: string, ok: (n: number) => boolean, what: string) => {
    const v = val.split(',').map(Number);
    if (v.some((n) => !ok(n))) throw new Error(`bench secagg: ${key} ${val}: expected ${what}`);
    return v;
  };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i];
    const val = args[i + 1];
    if (val === undefined) throw new Error(`bench secagg: ${key} needs a value`);
    if (key === '--sites') out.sites = list(key, val, (n) => Number.isInteger(n) && n >= 3 && n <= 255, 'integers in 3..255');
    else if (key === '--params') out.params = list(key, val, (n) => Number.isInteger(n) && n >= 1, 'positive integers');
    else if (key === '--dropout') out.dropout = list(key, val, (n) => n >= 0 && n < 0.5, 'fractions in [0, 0.5)');
    else if (key === '--drop-stage') {
      if (val !== 'masked-input' && val !== 'unmasking' && val !== 'both') throw new Error(`bench secagg: --drop-stage ${val}: expected masked-input, unmasking or both`);
      out.dropStage = val;
    } else if (key === '--prg') {
      if (val !== 'chacha20' && val !== 'aes-256-ctr') throw new Error(`bench secagg: --prg ${val}: expected chacha20 or aes-256-ctr`);
      out.prg = val;
    } else if (key === '--repeat') out.repeat = list(key, val, (n) => Number.isInteger(n) && n >= 1, 'a positive integer')[0];
    else if (key === '--seed') out.seed = list(key, val, Number.isInteger, 'an integer')[0];
    else throw new Error(`bench secagg: unknown option ${key}`);
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function versions() {
  const root = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  const require = createRequire(import.meta.url);
  const nacl = JSON.parse(readFileSync(require.resolve('tweetnacl/package.json'), 'utf8')) as { version: string };
  return { unbox: root.version, node: process.versions.node, openssl: process.versions.openssl, tweetnacl: nacl.version };
}

export async function main(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  const v = versions();
  const maxSites = Math.max(...a.sites);
  const identities = Array.from({ length: maxSites }, (_, i) => generateIdentity(`site-${String(i).padStart(3, '0')}`));
  const maxWeight = 10_000;
  const clip = 1;

  const run = (n: number, P: number, dropout: number, stage: Stage | null) => {
    const r = rng(a.seed * 7919 + n * 31 + P);
    const sites = identities.slice(0, n).map((identity) => {
      const update = new Float32Array(P);
      for (let j = 0; j < P; j++) update[j] = (r() * 2 - 1) * 0.05;
      return { identity, update, weight: 1 + Math.floor(r() * maxWeight) };
    });
    const dropped = stage ? sites.slice(0, Math.round(dropout * n)).map((s) => s.identity.id) : [];
    const params = { length: P, clip, maxWeight, maxSites: Math.max(n, 32), prg: a.prg };
    return { report: runInMemoryRound({ params, sites, dropouts: stage ? { [stage]: dropped } : {} }), dropped: new Set(dropped), params };
  };

  // warm the JIT and OpenSSL once before measuring
  run(4, 10_000, 0, null);

  for (const n of a.sites) {
    for (const P of a.params) {
      for (const dropout of a.dropout) {
        const stages: (Stage | null)[] = dropout === 0 ? [null] : a.dropStage === 'both' ? ['masked-input', 'unmasking'] : [a.dropStage];
        for (const stage of stages) {
          const clientMs: number[] = [];
          const clientCpu: number[] = [];
          const coordCpu: number[] = [];
          const clientMax: number[] = [];
          const coordMs: number[] = [];
          const bytes: number[] = [];
          let last: { report: DriverReport; dropped: Set<string>; params: Parameters<typeof resolveParams>[0] } | undefined;
          for (let k = 0; k < a.repeat; k++) {
            last = undefined; // let the previous round's vectors be collected first
            last = run(n, P, dropout, stage);
            const finished = [...last.report.clientMs.keys()].filter((id) => !last!.dropped.has(id));
            const per = finished.map((id) => last!.report.clientMs.get(id)!);
            clientMs.push(per.reduce((s, x) => s + x, 0) / per.length);
            clientMax.push(Math.max(...per));
            clientCpu.push(finished.reduce((s, id) => s + last!.report.clientCpuMs.get(id)!, 0) / finished.length);
            coordMs.push(last.report.coordinatorMs);
            coordCpu.push(last.report.coordinatorCpuMs);
            bytes.push(finished.reduce((s, id) => s + last!.report.bytesSent.get(id)!, 0) / finished.length);
          }
          const line = {
            bench: 'secagg',
            sites: n,
            params: P,
            dropout,
            drop_stage: stage ?? 'none',
            client_ms: +median(clientMs).toFixed(1),
            client_ms_max: +median(clientMax).toFixed(1),
            coordinator_ms: +median(coordMs).toFixed(1),
            client_cpu_ms: +median(clientCpu).toFixed(1),
            coordinator_cpu_ms: +median(coordCpu).toFixed(1),
            bytes_per_site: Math.round(median(bytes)),
            plain_bytes: 4 * P,
            overhead: +(median(bytes) / (4 * P)).toFixed(5),
            threshold: defaultThreshold(n),
            included: last!.report.result.included.length,
            backend: `node:crypto ${a.prg} + X25519/Ed25519 (OpenSSL ${v.openssl}), tweetnacl secretbox`,
            seed: a.seed,
            config: { ...resolveParams(last!.params), repeat: a.repeat },
            // wall-clock figures: a busy shared machine inflates them, so the 1-min load average is kept
            load_avg: +loadavg()[0].toFixed(2),
            versions: v,
            created: new Date().toISOString(),
          };
          process.stdout.write(JSON.stringify(line) + '\n');
        }
      }
    }
  }
}
