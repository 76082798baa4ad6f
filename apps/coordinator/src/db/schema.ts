/**
 * The coordinator's tables as Kysely types. Portable across SQLite and PostgreSQL: times are
 * integer milliseconds since the epoch (bigint, read back as numbers), flags are 0/1 integers,
 * JSON is text. Migrations (migrations.ts) create exactly these columns.
 */
export interface SitesTable {
  id: string;
  name: string | null;
  /** pending (token issued) → enrolled (public key registered) → revoked */
  status: 'pending' | 'enrolled' | 'revoked';
  /** Ed25519 public key, base64 of 32 bytes */
  public_key: string | null;
  /** SHA-256 hex of the one-time enrollment token; cleared once used */
  token_hash: string | null;
  token_expires_at: number | null;
  created_at: number;
  enrolled_at: number | null;
  revoked_at: number | null;
  revoke_reason: string | null;
  last_seen: number | null;
}

export interface RunsTable {
  id: string;
  name: string | null;
  /** the schema-checked run.config (defaults applied), JSON */
  config: string;
  status: 'running' | 'paused' | 'stopped' | 'done' | 'failed';
  strategy: string;
  /** rounds completed (the next round to run is completed_rounds + 1) */
  completed_rounds: number;
  /** hash of the current global model */
  model_hash: string | null;
  failure: string | null;
  created_at: number;
  updated_at: number;
}

export interface RoundsTable {
  run_id: string;
  round: number;
  /** 1 for the first try; a round interrupted by a restart is redone as attempt + 1 with fresh keys */
  attempt: number;
  status: 'running' | 'done' | 'failed' | 'interrupted';
  phase: string;
  secure: number;
  model_hash_in: string;
  model_hash_out: string | null;
  failure: string | null;
  note: string | null;
  started_at: number;
  ended_at: number | null;
}

export interface CohortsTable {
  run_id: string;
  round: number;
  attempt: number;
  site_id: string;
  /** fit: selected for training; evaluate: asked to evaluate */
  role: 'fit' | 'evaluate';
}

export interface DropoutsTable {
  run_id: string;
  round: number;
  attempt: number;
  site_id: string;
  /** protocol DropStage: configure, fit, advertise_keys, share_keys, masked_input, consistency_check, unmasking, aggregate, evaluate */
  stage: string;
  reason: string;
  at: number;
}

export interface MetricsTable {
  run_id: string;
  round: number;
  site_id: string;
  /** fit: training metrics of fit.result; evaluate: the Evaluation JSON of evaluate.result */
  kind: 'fit' | 'evaluate';
  num_examples: number;
  json: string;
  created_at: number;
}

export interface ModelVersionsTable {
  run_id: string;
  /** 0 for the initial model */
  round: number;
  model_hash: string;
  strategy: string;
  /** folder holding manifest.json + weights.bin (and state.*) for this version */
  path: string;
  bytes: number;
  created_at: number;
}

export interface RoundTsneTable {
  run_id: string;
  round: number;
  /** the ConsortiumTsne JSON of @unbox/protocol (points, KL, trustworthiness, centre separation) */
  json: string;
  created_at: number;
}

export interface Database {
  sites: SitesTable;
  runs: RunsTable;
  rounds: RoundsTable;
  cohorts: CohortsTable;
  dropouts: DropoutsTable;
  metrics: MetricsTable;
  model_versions: ModelVersionsTable;
  round_tsne: RoundTsneTable;
}
