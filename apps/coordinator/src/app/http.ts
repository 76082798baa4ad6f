/** REST plumbing shared by the controllers: zod validation pipe, admin bearer guard, error filter. */
import { Catch, HttpException, Inject, Injectable, type ArgumentsHost, type CanActivate, type ExceptionFilter, type ExecutionContext, type PipeTransform } from '@nestjs/common';
import { parseMessage, ProtocolError, type MessageKind } from '@unbox/protocol';
import { CoordinatorError, HTTP_STATUS } from '../errors.js';
import { sameSecret } from '../enrollment/secrets.js';
import { ADMIN_TOKEN } from './tokens.js';

/** Validates a REST body with its protocol schema; a refusal names the field. */
export class ProtocolPipe implements PipeTransform {
  constructor(private readonly kind: MessageKind) {}
  transform(value: unknown): unknown {
    const r = parseMessage(this.kind, value);
    if (!r.ok) throw r.error;
    return r.value;
  }
}

@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(ADMIN_TOKEN) private readonly token: string) {}
  canActivate(ctx: ExecutionContext): boolean {
    const h = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization ?? '';
    const m = /^Bearer (.+)$/.exec(h);
    if (!m || !sameSecret(m[1], this.token)) throw new CoordinatorError('unauthorized', 'admin API: missing or wrong bearer token (see <data>/admin-token)');
    return true;
  }
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly log: (level: 'info' | 'warn', line: string) => void) {}
  catch(e: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<{ status(n: number): { json(b: unknown): void } }>();
    if (e instanceof ProtocolError) return res.status(HTTP_STATUS[e.code]).json(e.toWire());
    if (e instanceof CoordinatorError) return res.status(HTTP_STATUS[e.code]).json({ code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) });
    if (e instanceof HttpException) {
      const status = e.getStatus();
      const code = status === 404 ? 'not_found' : status === 413 ? 'too_large' : status === 401 ? 'unauthorized' : status < 500 ? 'bad_message' : 'internal';
      return res.status(status).json({ code, message: e.message });
    }
    this.log('warn', `REST: ${(e as Error)?.stack ?? String(e)}`);
    res.status(500).json({ code: 'internal', message: 'internal error' });
  }
}
