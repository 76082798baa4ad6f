import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Controller, Get, Header, Inject, NotFoundException, Param, ParseIntPipe, Query, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TensorManifest, tfjsWeightsJson, type ModelVersionList, type TfjsWeightsJson } from '@unbox/protocol';
import { AdminGuard } from '../app/http.js';
import { STORE } from '../app/tokens.js';
import type { Store } from '../db/store.js';

@ApiTags('models')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/models')
export class ModelsController {
  constructor(@Inject(STORE) private readonly store: Store) {}

  @Get()
  @ApiOperation({ summary: 'Stored global model versions (round 0 = initial model)' })
  async list(@Query('run') run?: string): Promise<ModelVersionList> {
    const rows = await this.store.modelVersions(run);
    return {
      versions: rows.map((v) => ({ run_id: v.run_id, round: v.round, model_hash: v.model_hash, strategy: v.strategy as ModelVersionList['versions'][number]['strategy'], created: new Date(v.created_at).toISOString(), bytes: v.bytes })),
    };
  }

  private async version(run: string, round: number) {
    const v = await this.store.modelVersion(run, round);
    if (!v) throw new NotFoundException(`no model version ${run}/${round}`);
    return v;
  }

  @Get(':run/:round/model.json')
  @ApiOperation({ summary: 'tfjs weights manifest of a version (with weights.bin next to it)' })
  async modelJson(@Param('run') run: string, @Param('round', ParseIntPipe) round: number): Promise<TfjsWeightsJson> {
    const v = await this.version(run, round);
    return tfjsWeightsJson(TensorManifest.parse(JSON.parse(await readFile(join(v.path, 'manifest.json'), 'utf8'))));
  }

  @Get(':run/:round/weights.bin')
  @Header('content-type', 'application/octet-stream')
  @ApiOperation({ summary: 'float32 little-endian weights of a version, tensors in manifest order' })
  async weights(@Param('run') run: string, @Param('round', ParseIntPipe) round: number) {
    const v = await this.version(run, round);
    return new StreamableFile(await readFile(join(v.path, 'weights.bin')));
  }
}
