/**
 * Tab completion for the console: commands first, then what the command takes at that
 * position (command-specs.ts): peer IDs, known file names, a command for #HELP, a path on disk
 * for #SHARE, or `up`/`down` for #LIMIT. Pure (paths come from the caller): node:readline calls
 * it with the line up to the cursor and inserts what follows the word being typed, so every hit
 * starts with that word, as typed: a name with spaces completes inside double quotes if one was
 * typed, else with its spaces escaped (`my\ notes.txt`, which the console reads as one word). A
 * single hit ends with a space, so the next word can follow at once (not after a folder's `/`).
 */
import { COMMAND_SPECS, findSpec } from './command-specs.js';
import { visible } from './terminal-text.js';

/** What #LIMIT sets, each followed by a rate. */
const LIMIT_WORDS: readonly string[] = ['up', 'down'];

export interface CompletionSource {
  readonly peers: readonly string[];
  readonly names: readonly string[];
  /** Paths on disk starting with an (unescaped) partial path; folders end with `/`. */
  readonly paths?: (partial: string) => string[];
}

/** The words of a line and the word under the cursor ('' after a blank), quotes kept. */
function splitForCompletion(line: string): { done: string[]; partial: string } {
  const done: string[] = [];
  let word = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === '\\' && i + 1 < line.length) {
      word += ch + line[++i];
    } else if (ch === '"') {
      quoted = !quoted;
      word += ch;
    } else if (!quoted && /\s/.test(ch)) {
      if (word !== '') done.push(word);
      word = '';
    } else {
      word += ch;
    }
  }
  return { done, partial: word };
}

/** A name as the console reads it: quoted if it has spaces or quotes. */
export function quoteWord(word: string): string {
  return /[\s"\\]/.test(word) ? `"${word.replace(/[\\"]/g, (c) => `\\${c}`)}"` : word;
}

/** A name as the console reads it without quotes: spaces, quotes and backslashes escaped. */
export function escapeWord(word: string): string {
  return word.replace(/[\s"\\]/g, (c) => `\\${c}`);
}

/** What a partial word stands for: the text, and how it is written (quoted or escaped). */
function unescapeWord(partial: string): { text: string; quoted: boolean } {
  const quoted = partial.startsWith('"');
  const body = quoted ? partial.slice(1) : partial;
  return { text: body.replace(/\\(.)/g, '$1'), quoted };
}

/** [hits, the word they complete], the shape node:readline's completer returns. */
export function complete(line: string, source: CompletionSource): [string[], string] {
  const { done, partial } = splitForCompletion(line);
  const result = (hits: string[]): [string[], string] => {
    const unique = [...new Set(hits)].sort();
    // One hit: the word is complete, so a space follows (a folder's `/` waits for more).
    return [unique.length === 1 && !(unique[0] as string).endsWith('/') ? [`${unique[0] as string} `] : unique, partial];
  };
  const words = (candidates: readonly string[], caseless = false) => {
    const want = caseless ? partial.toUpperCase() : partial;
    const hits = candidates.filter((c) => (caseless ? c.toUpperCase() : c).startsWith(want));
    // Answer in the case the user types in: "#do" → "#download".
    const lower = caseless && partial !== partial.toUpperCase() && partial === partial.toLowerCase();
    return result(lower ? hits.map((h) => h.toLowerCase()) : hits);
  };
  // Names and paths: matched by what they say, written as the partial word is (quoted or escaped).
  const texts = (candidates: readonly string[]) => {
    const { text, quoted } = unescapeWord(partial);
    return result(candidates.filter((c) => c.startsWith(text) && visible(c) === c).map((c) => (quoted ? quoteWord(c) : escapeWord(c))).filter((c) => c.startsWith(partial)));
  };
  if (done.length === 0) {
    // "#do" completes to "#DOWNLOAD"; readline keeps what was typed and adds the rest.
    const names = COMMAND_SPECS.map((s) => s.name);
    return words(partial.startsWith('#') || partial === '' ? names : names.map((n) => n.slice(1)), true);
  }
  const spec = findSpec(done[0] as string);
  if (!spec || spec.args.length === 0) return [[], partial];
  const kind = spec.args[Math.min(done.length - 1, spec.args.length - 1)];
  // #DOWNLOAD takes more names after the first, among its peers.
  if (spec.name === '#DOWNLOAD' && kind === 'peers' && /^["\w]/.test(partial) && !source.peers.some((p) => p.startsWith(partial))) return texts(source.names);
  switch (kind) {
    case 'peers':
      return words(source.peers.filter((p) => !done.includes(p)));
    case 'name':
      // readline prints the hits raw: a name a peer listed with control characters in it is
      // never offered (issue 12, item 2); it can still be typed, or copied from #FILES.
      return texts(source.names);
    case 'path':
      return texts(source.paths?.(unescapeWord(partial).text) ?? []);
    case 'command':
      return words(COMMAND_SPECS.map((s) => s.name.slice(1)), true);
    case 'direction':
      // #LIMIT up RATE down RATE: after `up` or `down` comes a number, which nothing completes.
      return LIMIT_WORDS.includes((done.at(-1) as string).toLowerCase()) ? [[], partial] : words(LIMIT_WORDS.filter((d) => !done.includes(d)));
    default:
      return [[], partial];
  }
}
