#!/usr/bin/env node
// `unbox-coordinator` executable: runs the TypeScript entry point through tsx's ESM loader, so it
// works right after `npm ci` with no build step.
// The repository's tsconfig is named explicitly: tsx otherwise looks for one from the working
// directory, and run from elsewhere (a service's WorkingDirectory) it would find none and
// compile the NestJS decorators without their metadata.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
await import('../src/main.ts');
