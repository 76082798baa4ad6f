#!/usr/bin/env node
// `unbox-site` executable: runs the TypeScript entry point in this process through tsx's ESM
// loader, so `npx unbox-site ...` works right after `npm ci` with no build step.
// The repository's tsconfig is named explicitly: tsx otherwise looks for one from the working
// directory, and run from elsewhere (a service's WorkingDirectory) it would find none and
// compile the NestJS decorators without their metadata.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
await import('../src/main.ts');
