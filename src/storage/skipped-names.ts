/**
 * Files in a served folder that look served but are not, and why: a name that breaks the name
 * rules (names.ts), such as `NOTES.TXT` (names end in lower-case `.txt`) or one with a control
 * character. A server lists them at start and in its console's `files`, so a file is never left
 * out silently. Hidden files (txtmesh's temp files, the versions area) are not reported.
 */
import { ONLY_TXT, nameProblem } from './names.js';

/** The files under `root` that end in .txt in any case but are not served, sorted, with why. */
export async function skippedNames(root: string): Promise<{ name: string; reason: string }[]> {
  // Loaded on first use, as in names.ts: fast-glob is not needed to start serving (issue 11).
  const { default: fg } = await import('fast-glob');
  const found = await fg('**/*.txt', { cwd: root, onlyFiles: true, dot: false, followSymbolicLinks: false, caseSensitiveMatch: false });
  return found.sort().flatMap((name) => {
    const reason = nameProblem(name);
    if (reason === undefined) return [];
    return [{ name, reason: reason === ONLY_TXT ? 'only names ending in lower-case .txt are served' : reason }];
  });
}
