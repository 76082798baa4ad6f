/**
 * Secrets the coordinator keeps in its data folder, each in a 0600 file created on first start:
 * its Ed25519 identity (sent to sites at enrollment so they can pin it) and the admin token that
 * the REST admin API and the `unbox-coordinator` CLI present as a bearer token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateIdentity } from '@unbox/secagg';

export interface CoordinatorIdentity {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

export function loadOrCreateIdentity(dataDir: string): CoordinatorIdentity {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'coordinator-key.json');
  if (!existsSync(path)) {
    const id = generateIdentity('coordinator');
    writeSecret(path, JSON.stringify({ public_key: Buffer.from(id.publicKey).toString('base64'), secret_key: Buffer.from(id.secretKey).toString('base64') }));
  }
  const j = JSON.parse(readFileSync(path, 'utf8')) as { public_key?: string; secret_key?: string };
  const publicKey = Buffer.from(j.public_key ?? '', 'base64');
  const secretKey = Buffer.from(j.secret_key ?? '', 'base64');
  if (publicKey.length !== 32 || secretKey.length !== 32) throw new Error(`${path}: not a coordinator key file (expected public_key and secret_key, 32 bytes each)`);
  return { publicKey: new Uint8Array(publicKey), secretKey: new Uint8Array(secretKey) };
}

export function adminTokenPath(dataDir: string): string {
  return join(dataDir, 'admin-token');
}

export function loadOrCreateAdminToken(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = adminTokenPath(dataDir);
  if (!existsSync(path)) writeSecret(path, newToken() + '\n');
  return readFileSync(path, 'utf8').trim();
}

/** 32 random bytes, base64url (43 characters): a one-time enrollment token or the admin token. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}
