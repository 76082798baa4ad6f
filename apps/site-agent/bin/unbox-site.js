#!/usr/bin/env node
// `unbox-site` executable: runs the TypeScript entry point in this process through tsx's ESM
// loader, so `npx unbox-site ...` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
