import { Body, Controller, Get, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LoginRequest } from '@unbox/protocol';
import { z } from 'zod';
import { CoordinatorError } from '../errors.js';
import { DASHBOARD_AUTH } from '../app/tokens.js';
import { AdminGuard } from '../app/http.js';
import type { DashboardAuth, Principal } from './dashboard-auth.js';

@ApiTags('auth')
@Controller('api/auth')
export class LoginController {
  constructor(@Inject(DASHBOARD_AUTH) private readonly auth: DashboardAuth) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Consortium admin sign-in: a session token (12 h) accepted by every admin route and the /dashboard socket namespace' })
  @ApiBody({ schema: z.toJSONSchema(LoginRequest, { io: 'input' }) as Record<string, unknown> })
  login(@Body() body: unknown) {
    const r = LoginRequest.safeParse(body);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new CoordinatorError('bad_message', `login: ${i.path.join('.') || 'body'}: ${i.message}`, i.path.join('.') || undefined);
    }
    return this.auth.login(r.data);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @UseGuards(AdminGuard)
  @ApiOperation({ summary: 'Sign-out: the bearer session token is refused from now until it expires, across restarts (204); the admin token is not a session (400)' })
  async logout(@Req() req: { headers: Record<string, string | undefined> }): Promise<void> {
    // AdminGuard has accepted the bearer; the same header carries the token to revoke
    await this.auth.logout(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')![1]);
  }

  @Get('me')
  @ApiBearerAuth()
  @UseGuards(AdminGuard)
  @ApiOperation({ summary: 'Who the bearer credential is: a signed-in admin (username, expiry) or the admin token' })
  me(@Req() req: { principal: Principal }) {
    const p = req.principal;
    return p.kind === 'session' ? { role: 'admin', kind: 'session', username: p.username, expires_at: p.expiresAt } : { role: 'admin', kind: 'admin-token' };
  }
}
