/** The admin REST API from the CLI: bearer token, JSON in and out, errors with the server's reason. */
import { readFileSync } from 'node:fs';
import { adminTokenPath } from './enrollment/secrets.js';

/** An operator mistake or a refusal by the coordinator: printed as one line, exit code 2. */
export class AdminError extends Error {
  override readonly name = 'AdminError';
}

export function resolveAdminToken(o: { token?: string; data?: string }): string {
  if (o.token) return o.token;
  if (process.env.UNBOX_ADMIN_TOKEN) return process.env.UNBOX_ADMIN_TOKEN;
  const path = adminTokenPath(o.data ?? 'coordinator-data');
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    throw new AdminError(`no admin token: pass --token, set UNBOX_ADMIN_TOKEN, or point --data at the coordinator's folder (${path} not readable)`);
  }
}

export class AdminClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  async call<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.base), {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw new AdminError(`cannot reach the coordinator at ${this.base}: ${(e as Error).message}`);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) throw new AdminError(`${method} ${path}: ${res.status} ${(json as { message?: string } | null)?.message ?? text.slice(0, 200)}`);
    return json as T;
  }

  async bytes(path: string): Promise<Uint8Array> {
    const res = await fetch(new URL(path, this.base), { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok) throw new AdminError(`GET ${path}: ${res.status} ${await res.text()}`);
    return new Uint8Array(await res.arrayBuffer());
  }
}
