/**
 * `npm start` options: what the local consortium runs and where it keeps its files. Parsed with
 * node:util parseArgs; a bad value is an error naming the flag.
 */
import { parseArgs } from 'node:util';

export interface StartOptions {
  rounds: number;
  exit: boolean;
  /** port of the coordinator's REST/socket.io API (0 = a free one) */
  port: number;
  /** port of the web dashboard (0 = a free one); not started with --exit */
  dashboardPort: number;
  /** in-plane size of the synthetic images and of the classifier input (multiple of 32) */
  size: number;
  /** chest CT patients per centre */
  patients: number;
  /** head CT and head MR patients per centre (the segmenter's data) */
  brainPatients: number;
  /** federated after one another */
  tasks: ('classify' | 'segment')[];
  centres: number;
  localEpochs: number;
  /** the consortium's data folder (generated when absent) */
  data: string;
  /** coordinator database, site identities and logs */
  state: string;
  /** where runs/<run-id>/summary.json go */
  runs: string;
}

export const START_DEFAULTS: StartOptions = {
  rounds: 5, exit: false, port: 8470, dashboardPort: 8480, size: 64, patients: 80, brainPatients: 6, tasks: ['classify', 'segment'], centres: 4, localEpochs: 2,
  data: 'data/consortium', state: '.unbox/consortium', runs: 'runs',
};

export const START_USAGE = `npm start [-- options]
  --rounds <n>        federated rounds (default ${START_DEFAULTS.rounds})
  --exit              exit 0 when the run is done instead of staying up
  --port <n>          coordinator port, 0 = any free one (default ${START_DEFAULTS.port})
  --dashboard-port <n> web dashboard port, 0 = any free one (default ${START_DEFAULTS.dashboardPort}; no dashboard with --exit)
  --size <px>         image and classifier input size, multiple of 32 (default ${START_DEFAULTS.size})
  --patients <n>      chest CT patients per centre (default ${START_DEFAULTS.patients})
  --brain-patients <n> head CT and head MR patients per centre, each (default ${START_DEFAULTS.brainPatients})
  --tasks <list>      what is federated, in order: classify,segment (default ${START_DEFAULTS.tasks.join(',')})
  --centres <n>       centres (default ${START_DEFAULTS.centres})
  --local-epochs <n>  local epochs per round (default ${START_DEFAULTS.localEpochs})
  --data <dir>        consortium folder, generated when absent (default ${START_DEFAULTS.data})
  --state <dir>       coordinator database, site identities, logs (default ${START_DEFAULTS.state})
  --runs <dir>        summary.json folder (default ${START_DEFAULTS.runs})`;

function int(flag: string, v: string | undefined, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${flag}: expected a whole number from ${min} to ${max}, got '${v}'`);
  return n;
}

export function parseStartOptions(argv: string[]): StartOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      rounds: { type: 'string' }, exit: { type: 'boolean' }, port: { type: 'string' }, 'dashboard-port': { type: 'string' }, size: { type: 'string' },
      patients: { type: 'string' }, 'brain-patients': { type: 'string' }, tasks: { type: 'string' }, centres: { type: 'string' }, 'local-epochs': { type: 'string' },
      data: { type: 'string' }, state: { type: 'string' }, runs: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const d = START_DEFAULTS;
  const size = int('size', values.size, d.size, 32, 512);
  if (size % 32 !== 0) throw new Error(`--size: must be a multiple of 32 (the classifier's input), got ${size}`);
  const tasks = values.tasks === undefined ? d.tasks : values.tasks.split(',').map((t) => t.trim());
  const bad = tasks.find((t) => t !== 'classify' && t !== 'segment');
  if (bad !== undefined || tasks.length === 0) throw new Error(`--tasks: expected classify, segment or both (comma-separated), got '${values.tasks}'`);
  return {
    tasks: tasks as StartOptions['tasks'],
    brainPatients: int('brain-patients', values['brain-patients'], d.brainPatients, 0, 10_000),
    rounds: int('rounds', values.rounds, d.rounds, 1, 1000),
    exit: values.exit ?? false,
    port: int('port', values.port, d.port, 0, 65535),
    dashboardPort: int('dashboard-port', values['dashboard-port'], d.dashboardPort, 0, 65535),
    size,
    patients: int('patients', values.patients, d.patients, 4, 10_000),
    centres: int('centres', values.centres, d.centres, 3, 26),
    localEpochs: int('local-epochs', values['local-epochs'], d.localEpochs, 1, 100),
    data: values.data ?? d.data,
    state: values.state ?? d.state,
    runs: values.runs ?? d.runs,
  };
}
