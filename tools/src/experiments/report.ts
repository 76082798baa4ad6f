/** results/<name>.json (notes/result-formats.md) and results/<name>.md, written whole (temporary + rename). */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** JSON text with NaN/±Infinity as null (JSON has no NaN). */
export const jsonText = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? null : x), 2) + '\n';

async function writeWhole(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

export const writeJson = (path: string, v: unknown) => writeWhole(path, jsonText(v));

export async function writeResults(dir: string, name: string, json: object, markdown: string): Promise<{ json: string; md: string }> {
  const root = resolve(dir);
  const paths = { json: join(root, `${name}.json`), md: join(root, `${name}.md`) };
  await writeWhole(paths.json, jsonText(json));
  await writeWhole(paths.md, markdown.endsWith('\n') ? markdown : markdown + '\n');
  return paths;
}
