/**
 * Tab completion for the console: commands first, then what the command takes at that
 * position (command-specs.ts): peer IDs, known file names, or a command for #HELP. Pure:
 * node:readline calls it with the line up to the cursor and inserts what follows the word
 * being typed, so every hit starts with that word.
 */
import { COMMAND_SPECS, findSpec } from './command-specs.js';
import { visible } from './terminal-text.js';

export interface CompletionSource {
  readonly peers: readonly string[];
  readonly names: readonly string[];
}

/** The words of a line and the word under the cursor ('' after a blank), quotes kept. */
function splitForCompletion(line: string): { done: string[]; partial: string } {
  const done: string[] = [];
  let word = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted && ch === '\\' && i + 1 < line.length) {
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

/** [hits, the word they complete], the shape node:readline's completer returns. */
export function complete(line: string, source: CompletionSource): [string[], string] {
  const { done, partial } = splitForCompletion(line);
  const match = (candidates: readonly string[], caseless = false) => {
    const want = caseless ? partial.toUpperCase() : partial;
    const hits = [...new Set(candidates)].filter((c) => (caseless ? c.toUpperCase() : c).startsWith(want)).sort();
    // Answer in the case the user types in: "#do" → "#download".
    const lower = caseless && partial !== partial.toUpperCase() && partial === partial.toLowerCase();
    return [lower ? hits.map((h) => h.toLowerCase()) : hits, partial] as [string[], string];
  };
  if (done.length === 0) {
    // "#do" completes to "#DOWNLOAD"; readline keeps what was typed and adds the rest.
    const names = COMMAND_SPECS.map((s) => s.name);
    return match(partial.startsWith('#') || partial === '' ? names : names.map((n) => n.slice(1)), true);
  }
  const spec = findSpec(done[0] as string);
  if (!spec || spec.args.length === 0) return [[], partial];
  const kind = spec.args[Math.min(done.length - 1, spec.args.length - 1)];
  switch (kind) {
    case 'peers':
      return match(source.peers.filter((p) => !done.includes(p)));
    case 'name':
      // readline prints the hits raw: a name a peer listed with control characters in it is
      // never offered (issue 12, item 2); it can still be typed, or copied from #FILES.
      return match(source.names.filter((n) => visible(n) === n).map(quoteWord));
    case 'command':
      return match(COMMAND_SPECS.map((s) => s.name.slice(1)), true);
    default:
      return [[], partial];
  }
}
