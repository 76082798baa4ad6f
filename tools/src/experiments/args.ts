/** Flags shared by the experiments: --quick, --seed <n>, --steps <n>, --data <dir>, --results <dir>; --jobs <n> (segment: runs at a time). */
export interface ExperimentArgs {
  quick: boolean;
  seed: number;
  steps?: number;
  data: string;
  results: string;
  /** segment: training runs at a time (default 2, one engine thread each) */
  jobs?: number;
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
    else throw new Error(`unknown option ${a} (expected --quick, --seed <n>, --steps <n>, --data <dir>, --results <dir>, --jobs <n>)`);
  }
  return out;
}
