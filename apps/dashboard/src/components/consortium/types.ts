/** What the consortium view reads from the coordinator (GET /api/runs, /api/runs/:id/rounds, /api/models, .../tsne). */
import type { CentreEvaluation } from '../../lib/charts';

export interface RunRow {
  run_id: string;
  name: string | null;
  status: string;
  strategy: string;
  completed_rounds: number;
  rounds: number;
  model_hash: string | null;
  failure: string | null;
}

export interface RoundRow {
  round: number;
  attempt?: number;
  status: string;
  phase?: string;
  started_at?: number | null;
  ended_at?: number | null;
  wall_ms?: number | null;
  cohort: string[];
  dropouts: { site: string; stage: string; reason?: string }[];
  metrics?: Record<string, CentreEvaluation> | null;
  model_hash?: string | null;
  failure?: string | null;
  /** whether the coordinator stored a consortium t-SNE for this round */
  tsne?: boolean;
}

export interface ModelVersionRow {
  run_id: string;
  round: number;
  model_hash: string;
  strategy: string;
  created: string;
  bytes: number;
}

interface Separation {
  silhouette: number | null;
  knn_agreement: number | null;
  knn_chance: number | null;
  k: number | null;
}

/** GET /api/runs/:id/rounds/:n/tsne (protocol ConsortiumTsne) */
export interface TsneData {
  points: { x: number; y: number; centre: string; label: string | number | null }[];
  kl?: number;
  trustworthiness?: number;
  perplexity?: number;
  n?: number;
  noise_sigma?: number;
  unit?: 'patient' | 'slice';
  centre_separation?: { embedding: Separation; features: Separation };
}
