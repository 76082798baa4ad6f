/** The dashboard's live feed (socket.io namespace /dashboard), attached in create-coordinator. */
import { Module } from '@nestjs/common';
import type { Store } from '../db/store.js';
import type { DashboardAuth } from '../auth/dashboard-auth.js';
import { DASHBOARD, DASHBOARD_AUTH, LOG, STORE } from '../app/tokens.js';
import { DashboardGateway } from './dashboard-gateway.js';

@Module({
  providers: [{ provide: DASHBOARD, useFactory: (s: Store, a: DashboardAuth, log: (l: 'info' | 'warn', line: string) => void) => new DashboardGateway(s, a, log), inject: [STORE, DASHBOARD_AUTH, LOG] }],
  exports: [DASHBOARD],
})
export class DashboardModule {}
