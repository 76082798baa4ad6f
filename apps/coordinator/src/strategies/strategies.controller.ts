import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DEFAULT_BN_PATTERNS, DEFAULT_BN_STATISTICS_PATTERNS, STRATEGY_NAMES } from '@unbox/protocol';

@ApiTags('strategies')
@Controller('api/strategies')
export class StrategiesController {
  @Get()
  @ApiOperation({ summary: 'Strategies a run config may name (Flower semantics and defaults, see libs/fl)' })
  list() {
    return { strategies: [...STRATEGY_NAMES], fedbn_default_patterns: [...DEFAULT_BN_PATTERNS], silobn_default_patterns: [...DEFAULT_BN_STATISTICS_PATTERNS], models: ['classifier[:<px>][:lung][:gn]', 'segmenter[:<px>][:gn]', 'logreg:<features>', 'mlp:<features>:<hidden>'] };
  }
}
