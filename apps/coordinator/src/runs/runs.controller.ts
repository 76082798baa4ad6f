import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, ParseIntPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard, ProtocolPipe } from '../app/http.js';
import { schemaOf } from '../app/openapi.js';
import { ENGINE, STORE } from '../app/tokens.js';
import type { Store } from '../db/store.js';
import type { RunEngine } from './run-engine.js';
import { buildRoundList } from './round-records.js';
import { roundViews, runView } from '../dashboard/views.js';
import type { RunControl } from '@unbox/protocol';

@ApiTags('runs')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/runs')
export class RunsController {
  constructor(
    @Inject(ENGINE) private readonly engine: RunEngine,
    @Inject(STORE) private readonly store: Store,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Start a run from a run config (secure aggregation unless debug_plaintext)' })
  @ApiBody({ schema: schemaOf('run.config') })
  start(@Body() body: unknown) {
    return this.engine.startRun(body);
  }

  @Get()
  @ApiOperation({ summary: 'List runs' })
  async list() {
    return { runs: (await this.store.listRuns()).map(runView) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A run with its rounds (every attempt), cohorts and dropouts' })
  async get(@Param('id') id: string) {
    const r = await this.store.run(id);
    if (!r) throw new NotFoundException(`no run '${id}'`);
    const rounds = await roundViews(this.store, id);
    return { run_id: r.id, name: r.name, status: r.status, phase: this.engine.phase(id), config: JSON.parse(r.config) as unknown, completed_rounds: r.completed_rounds, model_hash: r.model_hash, failure: r.failure, rounds };
  }

  @Get(':id/rounds')
  @ApiOperation({ summary: 'Every round (last attempt): cohort, dropouts with their stage, timing, per-centre metrics with ROC/PR points' })
  async rounds(@Param('id') id: string) {
    if (!(await this.store.run(id))) throw new NotFoundException(`no run '${id}'`);
    return buildRoundList(this.store, id);
  }

  @Get(':id/rounds/:n/tsne')
  @ApiOperation({ summary: "A round's consortium t-SNE of the features opted-in sites shared (404 while none is stored)" })
  async tsne(@Param('id') id: string, @Param('n', ParseIntPipe) n: number) {
    if (!(await this.store.run(id))) throw new NotFoundException(`no run '${id}'`);
    const t = await this.store.roundTsne(id, n);
    if (t === undefined) throw new NotFoundException(`run '${id}' has no consortium t-SNE for round ${n} (no site shared features, or it is still being computed)`);
    return t;
  }

  @Post(':id/control')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause, resume or stop a run' })
  @ApiBody({ schema: schemaOf('run.control') })
  control(@Param('id') id: string, @Body() body: unknown) {
    const c = new ProtocolPipe('run.control').transform({ ...(body && typeof body === 'object' ? body : {}), run_id: id }) as RunControl;
    return this.engine.control(c);
  }
}
