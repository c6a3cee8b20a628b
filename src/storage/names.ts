/**
 * File names: `/`-separated paths relative to served_files/. The same rules apply on every
 * command and on both sides, so nothing outside served_files/ is ever read or written.
 * (The original wrote `#UPLOAD ../x.txt` outside its folder.)
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { MAX_NAME_BYTES } from '../constants.js';
import { TxtmeshError } from '../errors.js';

/** The name rule a name not ending in `.txt` breaks (the reason nameProblem gives). */
export const ONLY_TXT = 'only .txt files are served';

/** Why `name` is not a valid served name, or undefined if it is. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'name is empty';
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return `name is longer than ${MAX_NAME_BYTES} bytes`;
  if (name.includes('\0')) return 'name contains a NUL byte';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'name contains control characters';
  if (name.includes('\\')) return 'name contains a backslash';
  if (name.includes('\uFFFD')) return 'name is not valid UTF-8';
  if (name.startsWith('/') || isAbsolute(name) || /^[A-Za-z]:/.test(name)) return 'name is absolute';
  const segments = name.split('/');
  if (segments.some((s) => s === '..')) return 'name contains ".."';
  if (segments.some((s) => s === '' || s === '.')) return 'name has an empty or "." path segment';
  // Hidden names are reserved for txtmesh's temp files.
  if (segments.some((s) => s.startsWith('.'))) return 'name has a hidden (dot) path segment';
  if (segments.some((s) => Buffer.byteLength(s, 'utf8') > 255)) return 'a path segment is longer than 255 bytes';
  if (!name.endsWith('.txt') || name.endsWith('/.txt')) return ONLY_TXT;
  return undefined;
}

/**
 * Throws unless `name` is a valid served name.
 * @throws TxtmeshError ERR_BAD_NAME
 */
export function checkName(name: string): string {
  const problem = nameProblem(name);
  if (problem) throw new TxtmeshError('ERR_BAD_NAME', `bad file name ${JSON.stringify(name.slice(0, 200))}: ${problem}`);
  return name;
}

/**
 * The absolute path of `name` under `root`, after checking the name and that the result stays
 * inside root (belt and braces over checkName).
 */
export function resolveName(root: string, name: string): string {
  checkName(name);
  const full = resolve(root, ...name.split('/'));
  const rel = relative(resolve(root), full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
    throw new TxtmeshError('ERR_BAD_NAME', `bad file name ${JSON.stringify(name)}: outside the served folder`);
  }
  return full;
}

/**
 * The served names under `root`: every *.txt file (symlinks not followed, hidden names left
 * out) whose name passes the rules, sorted. fast-glob is loaded on first use: 20-30 ms at
 * start-up that a download, or a server that has not listed yet, need not pay (issue 11).
 */
export async function textNames(root: string): Promise<string[]> {
  const { default: fg } = await import('fast-glob');
  const names = await fg('**/*.txt', { cwd: root, onlyFiles: true, dot: false, followSymbolicLinks: false });
  return names.filter((n) => nameProblem(n) === undefined).sort();
}
