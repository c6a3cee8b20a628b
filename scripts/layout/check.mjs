// The whole check as a function, for scripts/check-layout.mjs and for test/layout.test.ts
// (which runs it in-process over temp trees: starting node and TypeScript per tree is slow).
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { applyExceptions, loadExceptions } from './exceptions.mjs';
import { cycleFindings, importFindings, mirrorFindings, sizeFindings } from './rules.mjs';
import { readSource } from './source.mjs';

/** Every .ts/.mts/.cts file under a folder (declaration files aside), sorted. */
function sourceFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(m|c)?ts$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

/** All findings over the tree at `root` (which holds src/ and test/), before exceptions. */
export function findViolations(root) {
  const relOf = (path) => relative(root, path).split(sep).join('/');
  const sources = sourceFiles(join(root, 'src')).map((path) => {
    const rel = relOf(path);
    return { rel, src: rel.slice('src/'.length), info: readSource(path) };
  });
  return [
    ...importFindings(sources, relOf),
    ...cycleFindings(sources, relOf),
    ...sizeFindings(sources),
    ...mirrorFindings(sources, (rel) => existsSync(join(root, rel))),
  ];
}

/**
 * Checks the tree at `root` against the exception list at `exceptions`.
 * @returns {{ code: 0 | 1, lines: string[] }} what to print (failures as file:line: message,
 *   then notes, then a summary line) and the exit status
 */
export function checkLayout({ root, exceptions }) {
  const list = loadExceptions(exceptions, relative(root, exceptions));
  const { failures, excused, notes } = applyExceptions(findViolations(root), list);
  const lines = [
    ...failures.map((f) => `${f.file}:${f.line}: ${f.message}`),
    ...notes.map((note) => `note: ${note}`),
    `check-layout: ${failures.length} failure(s); ${excused.length} known exception(s) in ${list.name}`,
  ];
  return { code: failures.length > 0 ? 1 : 0, lines };
}
