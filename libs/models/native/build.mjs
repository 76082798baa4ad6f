#!/usr/bin/env node
// Install step of @unbox/models: builds the oneDNN addon with node-gyp, offline (headers from
// nodedir=/usr). Where oneDNN or a compiler is missing it says so and exits 0: the package then
// runs on the portable backends (wasm, cpu). UNBOX_NO_NATIVE=1 skips the build.
// Every `npm install` in the workspace runs this, so an up-to-date addon is left alone and
// concurrent installs take turns (a lock directory) instead of rebuilding over each other.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const addon = join(here, 'build/Release/unbox_engine.node');
const lock = join(here, 'build.lock');
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

function upToDate() {
  if (!existsSync(addon)) return false;
  const built = statSync(addon).mtimeMs;
  const inputs = [join(here, 'binding.gyp'), ...readdirSync(join(here, 'src')).map((f) => join(here, 'src', f))];
  return inputs.every((f) => statSync(f).mtimeMs <= built);
}

function acquire() {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      return true;
    } catch {
      // A lock older than 10 minutes was left by a killed build.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 600_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) return false;
      spawnSync('sleep', ['1']);
    }
  }
}

if (upToDate()) {
  say(`up to date: ${addon}`);
  process.exit(0);
}
if (!acquire()) {
  say('not built: another build holds native/build.lock for over 5 minutes');
  process.exit(0);
}
/** Builds under the lock; returns what happened (process.exit here would skip the unlock). */
function build() {
  if (upToDate()) return `built meanwhile by another install: ${addon}`;
  // npm passes its bundled node-gyp; outside npm use the one next to this node's npm.
  const gyp = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')]
    .find((p) => p && existsSync(p));
  if (!gyp) return 'not built: node-gyp not found';
  const nodedir = !process.env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h') ? ['--nodedir=/usr'] : [];
  // configure + build (no clean): the old addon stays in place until the new one is linked.
  const gypRun = (cmd) => spawnSync(process.execPath, [gyp, cmd, ...nodedir], { cwd: here, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  let r = gypRun('configure');
  if (r.status === 0) r = gypRun('build');
  if (r.status !== 0) {
    rmSync(addon, { force: true });
    return `not built: node-gyp failed (${r.status ?? r.signal}); using the portable backends\n${(r.stderr ?? '').split('\n').filter((l) => /error|ERR!/i.test(l)).slice(-25).join('\n')}`;
  }
  return `built ${addon}`;
}

try {
  say(build());
} finally {
  rmSync(lock, { recursive: true, force: true });
}
