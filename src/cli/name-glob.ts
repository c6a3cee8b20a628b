/**
 * Names and globs on a command line. In `#DOWNLOAD a.txt 'notes/*.txt' p2` the words that end
 * in .txt or hold a glob character (* ? [) are file names, the others peer IDs; a glob matches
 * names the way a shell matches paths: `*` and `?` within one folder, `**` across folders,
 * `[abc]` and `[!abc]` one character of a set. Pure.
 */

const GLOB_CHARS = /[*?[]/;

/** True if the word holds a glob character. */
export function hasGlob(word: string): boolean {
  return GLOB_CHARS.test(word);
}

/** True if the word names files (ends in .txt, or is a glob) rather than a peer. */
export function isNameWord(word: string): boolean {
  return word.endsWith('.txt') || hasGlob(word);
}

/** A test for the names a glob matches. */
export function globMatcher(glob: string): (name: string) => boolean {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*' && glob[i + 1] === '*') {
      // `**/` is any number of folders (none too); a trailing `**` anything.
      const slash = glob[i + 2] === '/';
      source += slash ? '(?:[^/]*/)*' : '.*';
      i += slash ? 2 : 1;
    } else if (ch === '*') {
      source += '[^/]*';
    } else if (ch === '?') {
      source += '[^/]';
    } else if (ch === '[' && glob.indexOf(']', i + 2) > 0) {
      const end = glob.indexOf(']', i + 2);
      const body = glob.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      source += `[${negate ? '^' : ''}${(negate ? body.slice(1) : body).replace(/[\\\]^]/g, (c) => `\\${c}`)}]`;
      i = end;
    } else {
      source += ch.replace(/[.*+?^${}()|[\]\\/]/g, (c) => `\\${c}`);
    }
  }
  const re = new RegExp(`^${source}$`, 'u');
  return (name) => re.test(name);
}
