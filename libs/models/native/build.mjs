#!/usr/bin/env node
// Install step of @unbox/models: builds the oneDNN addon with node-gyp, offline (headers from
// nodedir=/usr). Where oneDNN or a compiler is missing it says so and exits 0: the package then
// runs on the portable backends (wasm, cpu). UNBOX_NO_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const say = (m) => process.stderr.write(`@unbox/models native engine: ${m}\n`);

if (process.env.UNBOX_NO_NATIVE === '1') {
  say('skipped (UNBOX_NO_NATIVE=1)');
  process.exit(0);
}
const header = ['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/local/include/oneapi/dnnl/dnnl.hpp'].find(existsSync);
if (!header) {
  say('not built: oneDNN headers not found (Debian: apt-get install libdnnl-dev); using the portable backends');
  process.exit(0);
}
// npm passes its bundled node-gyp; outside npm use the one next to this node's npm.
const gyp = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')]
  .find((p) => p && existsSync(p));
if (!gyp) {
  say('not built: node-gyp not found');
  process.exit(0);
}
const args = [gyp, 'rebuild'];
if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h')) args.push('--nodedir=/usr');
// One retry: a configure step that failed once (seen under heavy load) has passed on the next try.
let r = spawnSync(process.execPath, args, { cwd: here, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) r = spawnSync(process.execPath, args, { cwd: here, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) {
  say(`not built: node-gyp failed (${r.status ?? r.signal}); using the portable backends\n${(r.stderr ?? '').split('\n').filter((l) => /error|ERR!/i.test(l)).slice(-25).join('\n')}`);
  rmSync(join(here, 'build'), { recursive: true, force: true });
  process.exit(0);
}
say(`built ${join(here, 'build/Release/unbox_engine.node')}`);
