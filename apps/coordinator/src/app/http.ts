/** REST plumbing shared by the controllers: zod validation pipe, admin bearer/session guard, error filter. */
import { Catch, HttpException, Inject, Injectable, type ArgumentsHost, type CanActivate, type ExceptionFilter, type ExecutionContext, type PipeTransform } from '@nestjs/common';
import { parseMessage, ProtocolError, type MessageKind } from '@unbox/protocol';
import { CoordinatorError, HTTP_STATUS } from '../errors.js';
import { ThrottledError, type DashboardAuth, type Principal } from '../auth/dashboard-auth.js';
import { DASHBOARD_AUTH } from './tokens.js';

/** Validates a REST body with its protocol schema; a refusal names the field. */
export class ProtocolPipe implements PipeTransform {
  constructor(private readonly kind: MessageKind) {}
  transform(value: unknown): unknown {
    const r = parseMessage(this.kind, value);
    if (!r.ok) throw r.error;
    return r.value;
  }
}

/**
 * Admin routes: `Authorization: Bearer <admin token>` (the CLI) or `Bearer <admin session token>`
 * (a consortium admin signed in through POST /api/auth/login).
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(DASHBOARD_AUTH) private readonly auth: DashboardAuth) {}
  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const who = m ? await this.auth.principal(m[1]) : null;
    if (!who) throw new CoordinatorError('unauthorized', 'admin API: missing or wrong bearer token (the admin token in <data>/admin-token, or a session token from POST /api/auth/login)');
    req.principal = who;
    return true;
  }
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly log: (level: 'info' | 'warn', line: string) => void) {}
  catch(e: unknown, host: ArgumentsHost): void {
    const raw = host.switchToHttp().getResponse<{ status(n: number): { json(b: unknown): void }; setHeader(k: string, v: string): void }>();
    // sign-in refusals also carry `error` (the dashboard contract's shape); every other body stays
    // the protocol's strict ErrorMessage {code, message, field?} that clients parse
    const url = host.switchToHttp().getRequest<{ url?: string }>().url ?? '';
    const withError = url.startsWith('/api/auth/');
    const res = { status: (n: number) => ({ json: (b: { message: string; [k: string]: unknown }) => raw.status(n).json(withError ? { ...b, error: b.message } : b) }) };
    if (e instanceof ProtocolError) return res.status(HTTP_STATUS[e.code]).json(e.toWire());
    if (e instanceof CoordinatorError) return res.status(HTTP_STATUS[e.code]).json({ code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) });
    if (e instanceof ThrottledError) {
      raw.setHeader('retry-after', String(e.retryAfterS));
      return res.status(429).json({ code: 'rate_limited', message: e.message });
    }
    if (e instanceof HttpException) {
      const status = e.getStatus();
      const code = status === 404 ? 'not_found' : status === 413 ? 'too_large' : status === 401 ? 'unauthorized' : status < 500 ? 'bad_message' : 'internal';
      return res.status(status).json({ code, message: e.message });
    }
    this.log('warn', `REST: ${(e as Error)?.stack ?? String(e)}`);
    res.status(500).json({ code: 'internal', message: 'internal error' });
  }
}
