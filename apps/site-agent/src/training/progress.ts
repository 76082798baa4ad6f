/**
 * Training progress on stderr: a redrawn bar on a terminal, a log line every ~5 % otherwise (and
 * JSON lines with --log-format json). Throughput is images per second over the recent steps.
 */
import type { Logger } from '../logger.js';

export interface StepInfo {
  step: number;
  loss: number;
  images: number;
  ms: number;
}

/** "[#######-------------]  35/100  loss 0.6931  42.1 img/s" (pure). */
export function progressLine(step: number, total: number, loss: number, imgPerS: number, width = 20): string {
  const done = Math.round((width * step) / total);
  return `[${'#'.repeat(done)}${'-'.repeat(width - done)}] ${String(step).padStart(String(total).length)}/${total}  loss ${loss.toFixed(4)}  ${imgPerS.toFixed(1)} img/s`;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  const r = Math.round(s - 60 * m);
  return m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

export interface Progress {
  update(info: StepInfo): void;
  done(): void;
}

export function createProgress(total: number, log: Logger, opts: { tty?: boolean; json?: boolean; write?: (s: string) => void } = {}): Progress {
  const write = opts.write ?? ((s: string) => process.stderr.write(s));
  const tty = opts.tty ?? (process.stderr.isTTY === true && !opts.json);
  const every = Math.max(1, Math.round(total / 20));
  const recent: StepInfo[] = [];
  let drawn = false;
  return {
    update(info) {
      recent.push(info);
      if (recent.length > 10) recent.shift();
      const ms = recent.reduce((a, r) => a + r.ms, 0);
      const imgPerS = ms > 0 ? (1000 * recent.reduce((a, r) => a + r.images, 0)) / ms : 0;
      const etaS = ((total - info.step) * ms) / recent.length / 1000;
      if (tty) {
        write(`\r${progressLine(info.step, total, info.loss, imgPerS)}  eta ${formatSeconds(etaS)}\u001b[K`);
        drawn = true;
      } else if (info.step % every === 0 || info.step === total) {
        log.info('step', { step: info.step, of: total, loss: +info.loss.toFixed(5), img_per_s: +imgPerS.toFixed(2), step_ms: Math.round(info.ms), eta_s: Math.round(etaS) });
      }
    },
    done() {
      if (drawn) write('\n');
      drawn = false;
    },
  };
}
