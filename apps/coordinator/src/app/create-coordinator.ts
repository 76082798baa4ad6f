/**
 * Builds and starts the coordinator: Nest app (REST + OpenAPI at /api/docs), socket.io gateway on
 * the same HTTP server, active runs resumed. `close()` stops runs, sockets, HTTP and the database.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { CoordinatorOptions } from '../options.js';
import type { OpenedDatabase } from '../db/connect.js';
import type { Store } from '../db/store.js';
import type { SiteGateway } from '../gateway/site-gateway.js';
import type { RunEngine } from '../runs/run-engine.js';
import { AppModule } from './app.module.js';
import { ErrorFilter } from './http.js';
import type { DashboardGateway } from '../dashboard/dashboard-gateway.js';
import { ADMIN_TOKEN, DASHBOARD, DATABASE, ENGINE, GATEWAY, STORE } from './tokens.js';

export interface RunningCoordinator {
  url: string;
  port: number;
  adminToken: string;
  database: OpenedDatabase;
  store: Store;
  engine: RunEngine;
  gateway: SiteGateway;
  close(): Promise<void>;
}

export async function createCoordinator(o: CoordinatorOptions): Promise<RunningCoordinator> {
  const log = o.log ?? (() => undefined);
  // abortOnError: false — a start-up failure (e.g. database unreachable) is thrown with its reason, not process.abort()
  const app = await NestFactory.create(AppModule.forRoot(o), { logger: false, bodyParser: true, abortOnError: false });
  app.useGlobalFilters(new ErrorFilter(log));
  app.enableShutdownHooks([]);
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Unbox coordinator').setDescription('Admin and enrollment API (bearer: admin token or a session from POST /api/auth/login); sites connect over socket.io at /socket.io, the dashboard to its namespace /dashboard').setVersion('1').addBearerAuth().build(),
  );
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/openapi.json' });
  await app.init();
  const gateway = app.get<SiteGateway>(GATEWAY);
  const engine = app.get<RunEngine>(ENGINE);
  const database = app.get<OpenedDatabase>(DATABASE);
  const dashboard = app.get<DashboardGateway>(DASHBOARD);
  gateway.attach(app.getHttpServer());
  gateway.setHandler(engine);
  dashboard.attach(gateway.server!);
  await app.listen(o.port, o.host);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${address.port}`;
  log('info', `coordinator listening on ${url} (database: ${database.dialect} ${database.location}; API docs ${url}/api/docs)`);
  await engine.resumeAll();
  let closed = false;
  return {
    url,
    port: address.port,
    adminToken: app.get<string>(ADMIN_TOKEN),
    database,
    store: app.get<Store>(STORE),
    engine,
    gateway,
    async close() {
      if (closed) return;
      closed = true;
      await engine.close();
      await dashboard.close();
      await gateway.close();
      await app.close();
      await database.close();
    },
  };
}
