/**
 * Flags shared by the experiments: --quick, --seed <n>, --steps <n>, --data <dir>, --results <dir>;
 * --jobs <n> (runs at a time); --train <json> (fields merged into every run's `unbox-site train`
 * config, e.g. '{"sampling":"centre-balanced","scannerJitter":true}'; `model` fields merge into the model).
 */
export interface ExperimentArgs {
  quick: boolean;
  seed: number;
  steps?: number;
  data: string;
  results: string;
  /** segment: training runs at a time (default 2, one engine thread each) */
  jobs?: number;
  /** fields merged into every run's train config (validated by `unbox-site train`, which names a bad field) */
  train?: Record<string, unknown>;
}

/** The --train value: a JSON object, or an error naming the flag. */
export function parseTrainOverrides(v: string): Record<string, unknown> {
  let j: unknown;
  try {
    j = JSON.parse(v);
  } catch (e) {
    throw new Error(`--train must be a JSON object, e.g. '{"sampling":"centre-balanced"}': ${(e as Error).message}`);
  }
  if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new Error(`--train must be a JSON object, got ${v}`);
  for (const k of ['task', 'seed', 'steps']) if (k in j) throw new Error(`--train cannot set "${k}" (use --seed / --steps)`);
  return j as Record<string, unknown>;
}

/** A run's train config with the --train fields merged in (`model` one level deep). */
export function withOverrides<T extends { model: object }>(config: T, train: Record<string, unknown> | undefined): T {
  if (!train) return config;
  const { model, ...rest } = train;
  return { ...config, ...rest, model: { ...config.model, ...(model && typeof model === 'object' ? model : {}) } };
}

export function parseExperimentArgs(args: string[]): ExperimentArgs {
  const out: ExperimentArgs = { quick: false, seed: 1, data: 'data', results: 'results' };
  const value = (i: number, flag: string): string => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  const int = (v: string, flag: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a whole number ≥ 0, got "${v}"`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--quick') out.quick = true;
    else if (a === '--seed') out.seed = int(value(i++, a), a);
    else if (a === '--steps') out.steps = Math.max(1, int(value(i++, a), a));
    else if (a === '--data') out.data = value(i++, a);
    else if (a === '--results') out.results = value(i++, a);
    else if (a === '--jobs') out.jobs = Math.max(1, int(value(i++, a), a));
    else if (a === '--train') out.train = parseTrainOverrides(value(i++, a));
    else throw new Error(`unknown option ${a} (expected --quick, --seed <n>, --steps <n>, --data <dir>, --results <dir>, --jobs <n>, --train <json>)`);
  }
  return out;
}
