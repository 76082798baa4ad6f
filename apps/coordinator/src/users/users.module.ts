/** Dashboard accounts and sign-in: global, because AdminGuard (every admin route) needs it. */
import { Global, Module } from '@nestjs/common';
import type { OpenedDatabase } from '../db/connect.js';
import type { CoordinatorOptions } from '../options.js';
import { DashboardAuth } from '../auth/dashboard-auth.js';
import { LoginController } from '../auth/login.controller.js';
import { loadOrCreateSessionSecret, SessionTokens } from '../auth/sessions.js';
import { ADMIN_TOKEN, DASHBOARD_AUTH, DATABASE, OPTIONS, USERS } from '../app/tokens.js';
import { UserStore } from './user-store.js';

@Global()
@Module({
  controllers: [LoginController],
  providers: [
    { provide: USERS, useFactory: (d: OpenedDatabase) => new UserStore(d.db), inject: [DATABASE] },
    {
      provide: DASHBOARD_AUTH,
      useFactory: (u: UserStore, o: CoordinatorOptions, adminToken: string) => new DashboardAuth(u, new SessionTokens(loadOrCreateSessionSecret(o.dataDir), o.now), adminToken, o.now),
      inject: [USERS, OPTIONS, ADMIN_TOKEN],
    },
  ],
  exports: [USERS, DASHBOARD_AUTH],
})
export class UsersModule {}
