import { Controller, Get, Inject, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../app/http.js';
import { STORE } from '../app/tokens.js';
import type { Store } from '../db/store.js';

@ApiTags('metrics')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/runs/:id/metrics')
export class MetricsController {
  constructor(@Inject(STORE) private readonly store: Store) {}

  @Get()
  @ApiOperation({ summary: 'Per-centre metrics of every round: training (fit) and evaluation (Evaluation JSON)' })
  async list(@Param('id') id: string) {
    return { run_id: id, metrics: await this.store.metrics(id) };
  }
}
