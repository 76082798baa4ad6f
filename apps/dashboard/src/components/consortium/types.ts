/**
 * What the consortium view reads from the coordinator: the wire types of @unbox/protocol (type
 * imports only, nothing of it ships to the browser).
 */
import type { ConsortiumTsne, DashboardRun, ModelVersion, RoundRecord } from '@unbox/protocol';

/** GET /api/runs → runs[] */
export type RunRow = DashboardRun;
/** GET /api/runs/:id/rounds → rounds[] */
export type RoundRow = RoundRecord;
/** GET /api/models → versions[] */
export type ModelVersionRow = ModelVersion;
/** GET /api/runs/:id/rounds/:n/tsne */
export type TsneData = ConsortiumTsne;
