/**
 * The coordinator as NestJS modules, one per concern. Providers are plain classes built by
 * factories with explicit tokens (no reflection metadata needed).
 */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { CoordinatorOptions } from '../options.js';
import { checkpointsPath, runsPath, sqlitePath } from '../options.js';
import { openDatabase, type OpenedDatabase } from '../db/connect.js';
import { Store } from '../db/store.js';
import { EnrollmentService } from '../enrollment/enrollment.service.js';
import { EnrollmentController, SitesController } from '../enrollment/enrollment.controller.js';
import { loadOrCreateAdminToken, loadOrCreateIdentity, type CoordinatorIdentity } from '../enrollment/secrets.js';
import { Authenticator } from '../auth/authenticator.js';
import { SiteGateway } from '../gateway/site-gateway.js';
import { Checkpoints } from '../model-registry/checkpoints.js';
import { ModelsController } from '../model-registry/models.controller.js';
import { MetricsController } from '../metrics/metrics.controller.js';
import { RunEngine } from '../runs/run-engine.js';
import { RunsController } from '../runs/runs.controller.js';
import { writeRunSummary } from '../runs/run-summary.js';
import { StrategiesController } from '../strategies/strategies.controller.js';
import { TSNE, TsneService } from '../tsne/tsne-service.js';
import { UsersModule } from '../users/users.module.js';
import { DashboardModule } from '../dashboard/dashboard.module.js';
import { ADMIN_TOKEN, AUTHENTICATOR, CHECKPOINTS, DATABASE, ENGINE, ENROLLMENT, GATEWAY, IDENTITY, LOG, OPTIONS, STORE } from './tokens.js';

type Log = (level: 'info' | 'warn', line: string) => void;
export const SECAGG = Symbol('SecAggSettings');

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(o: CoordinatorOptions): DynamicModule {
    return {
      module: PersistenceModule,
      providers: [
        { provide: OPTIONS, useValue: o },
        { provide: LOG, useValue: (o.log ?? (() => undefined)) satisfies Log },
        { provide: DATABASE, useFactory: () => openDatabase({ url: o.databaseUrl, sqlitePath: sqlitePath(o) }) },
        { provide: STORE, useFactory: (d: OpenedDatabase) => new Store(d.db), inject: [DATABASE] },
        { provide: ADMIN_TOKEN, useFactory: () => loadOrCreateAdminToken(o.dataDir) },
        { provide: IDENTITY, useFactory: () => loadOrCreateIdentity(o.dataDir) },
      ],
      exports: [OPTIONS, LOG, DATABASE, STORE, ADMIN_TOKEN, IDENTITY],
    };
  }
}

@Module({
  providers: [{ provide: AUTHENTICATOR, useFactory: (s: Store, o: CoordinatorOptions) => new Authenticator(s, o.coordinatorId, o.authChallengeTtlMs, o.now), inject: [STORE, OPTIONS] }],
  exports: [AUTHENTICATOR],
})
export class AuthModule {}

@Module({
  imports: [AuthModule],
  providers: [
    {
      provide: GATEWAY,
      useFactory: (a: Authenticator, o: CoordinatorOptions, log: Log) =>
        new SiteGateway(a, { maxMessageBytes: o.maxMessageBytes, pingIntervalMs: o.pingIntervalMs, pingTimeoutMs: o.pingTimeoutMs, authTimeoutMs: o.authTimeoutMs, messageRate: o.messageRate, log }),
      inject: [AUTHENTICATOR, OPTIONS, LOG],
    },
  ],
  exports: [GATEWAY],
})
export class GatewayModule {}

@Module({
  imports: [GatewayModule],
  controllers: [EnrollmentController, SitesController],
  providers: [
    {
      provide: ENROLLMENT,
      useFactory: (s: Store, id: CoordinatorIdentity, o: CoordinatorOptions, g: SiteGateway) => new EnrollmentService(s, id, o.enrollmentTokenTtlMs, o.now, () => g.connected()),
      inject: [STORE, IDENTITY, OPTIONS, GATEWAY],
    },
  ],
})
export class EnrollmentModule {}

@Module({
  controllers: [ModelsController],
  providers: [{ provide: CHECKPOINTS, useFactory: (o: CoordinatorOptions) => new Checkpoints(checkpointsPath(o)), inject: [OPTIONS] }],
  exports: [CHECKPOINTS],
})
export class ModelRegistryModule {}

@Module({ controllers: [StrategiesController] })
export class StrategiesModule {}

/** Secure aggregation (server side): the fixed-point parameters and stage timeouts of every round. */
@Module({
  providers: [{ provide: SECAGG, useFactory: (o: CoordinatorOptions) => ({ ...o.secagg }), inject: [OPTIONS] }],
  exports: [SECAGG],
})
export class SecureAggregationModule {}

@Module({ controllers: [MetricsController] })
export class MetricsModule {}

@Module({
  imports: [GatewayModule, ModelRegistryModule, SecureAggregationModule],
  controllers: [RunsController],
  providers: [
    // consortium t-SNE of each round, in a worker thread after the round (issue #5)
    { provide: TSNE, useFactory: (s: Store, o: CoordinatorOptions, log: Log) => new TsneService(s, { log, now: o.now }), inject: [STORE, OPTIONS, LOG] },
    {
      provide: ENGINE,
      useFactory: (s: Store, c: Checkpoints, g: SiteGateway, secagg: CoordinatorOptions['secagg'], o: CoordinatorOptions, log: Log, tsne: TsneService) =>
        new RunEngine(s, c, g, {
          secagg,
          waitPollMs: o.waitPollMs,
          maxRoundAttempts: o.maxRoundAttempts,
          retryDelayMs: o.retryDelayMs,
          now: o.now,
          log,
          onRoundFeatures: (run, round, sites) => tsne.schedule(run, round, sites),
          onRoundEnd: async (run) => {
            try {
              await writeRunSummary(s, run, runsPath(o));
            } catch (e) {
              log('warn', `run ${run}: summary.json not written: ${(e as Error).message}`);
            }
          },
        }),
      inject: [STORE, CHECKPOINTS, GATEWAY, SECAGG, OPTIONS, LOG, TSNE],
    },
  ],
  exports: [ENGINE, TSNE],
})
export class RunsModule {}

@Module({})
export class AppModule {
  static forRoot(o: CoordinatorOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [PersistenceModule.forRoot(o), UsersModule, DashboardModule, EnrollmentModule, GatewayModule, ModelRegistryModule, StrategiesModule, SecureAggregationModule, MetricsModule, RunsModule],
    };
  }
}
