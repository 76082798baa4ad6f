/** Dashboard accounts and sign-in: global, because AdminGuard (every admin route) needs it. */
import { Global, Module } from '@nestjs/common';
import type { OpenedDatabase } from '../db/connect.js';
import type { CoordinatorOptions } from '../options.js';
import { DashboardAuth } from '../auth/dashboard-auth.js';
import { LoginController } from '../auth/login.controller.js';
import { RevokedTokenStore } from '../auth/revoked-token-store.js';
import { loadOrCreateSessionSecret, SessionTokens } from '../auth/sessions.js';
import { ADMIN_TOKEN, DASHBOARD_AUTH, DATABASE, OPTIONS, USERS } from '../app/tokens.js';
import { TokenRevocations } from '@unbox/accounts';
import { UserStore } from './user-store.js';

@Global()
@Module({
  controllers: [LoginController],
  providers: [
    { provide: USERS, useFactory: (d: OpenedDatabase) => new UserStore(d.db), inject: [DATABASE] },
    {
      provide: DASHBOARD_AUTH,
      // signed-out tokens stay refused across restarts: the stored revocations are loaded first
      useFactory: async (u: UserStore, o: CoordinatorOptions, adminToken: string, d: OpenedDatabase) => {
        const revoked = new RevokedTokenStore(d.db);
        await revoked.prune(o.now());
        const list = new TokenRevocations(o.now, await revoked.load(o.now()));
        return new DashboardAuth(u, new SessionTokens(loadOrCreateSessionSecret(o.dataDir), o.now, undefined, list), adminToken, o.now, revoked);
      },
      inject: [USERS, OPTIONS, ADMIN_TOKEN, DATABASE],
    },
  ],
  exports: [USERS, DASHBOARD_AUTH],
})
export class UsersModule {}
