/**
 * The subcommand word of a txtmesh-client command line, as people type it: in any case
 * (`FILES`), by the console's aliases (`fetch`), or misspelt (`dowload`: "did you mean
 * download?"). Pure: words in, the canonical word or the nearest known one out.
 */
import { COMMAND_SPECS, findSpec } from './command-specs.js';

/** Where the subcommand stands: the first word that is not an option or an option's value. */
export function commandIndex(args: readonly string[], takesValue: ReadonlySet<string>): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return -1;
    if (arg.startsWith('-')) {
      if (takesValue.has(arg)) i++;
      continue;
    }
    return i;
  }
  return -1;
}

/** The subcommand a word names (`FILES`, `Fetch` → `files`, `download`), or undefined. */
export function subcommandOf(word: string, extra: readonly string[] = []): string | undefined {
  if (extra.includes(word.toLowerCase())) return word.toLowerCase();
  const spec = word.startsWith('#') ? undefined : findSpec(word);
  return spec?.subcommand ? spec.name.slice(1).toLowerCase() : undefined;
}

/** The known word nearest to `word` (at most two edits away, and fewer than half its letters), or undefined. */
export function nearest(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: { word: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate);
    if (distance <= 2 && distance * 2 < lower.length && (!best || distance < best.distance)) best = { word: candidate, distance };
  }
  return best?.word;
}

/** Every word a subcommand may be given as: the subcommands and the aliases, lower case. */
export function commandWords(): string[] {
  return COMMAND_SPECS.flatMap((s) => (s.subcommand ? [s.name.slice(1).toLowerCase(), ...(s.aliases ?? []).map((a) => a.toLowerCase())] : []));
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((d[i - 1] as number[])[j] as number + 1, (row[j - 1] as number) + 1, ((d[i - 1] as number[])[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}
