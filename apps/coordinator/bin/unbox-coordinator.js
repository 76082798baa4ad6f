#!/usr/bin/env node
// `unbox-coordinator` executable: runs the TypeScript entry point through tsx's ESM loader, so it
// works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
