/**
 * The console's history: kept between sessions in the peer folder (`.txtmesh-history`, one
 * command a line, newest last, readable by its owner only), and searched with Ctrl-R as in a
 * shell: type to find the newest command containing the text, Ctrl-R again for an older one,
 * Enter runs it, Esc or Ctrl-G gives up, any other key takes it for editing.
 *
 * node:readline has no history search; this one is added in front of its key handling
 * (`_ttyWrite`, which every key on a terminal goes through), touching nothing else.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Interface } from 'node:readline';

/** The history file in a peer folder. */
export const HISTORY_FILE = '.txtmesh-history';

/** Lines of history kept. */
export const HISTORY_SIZE = 500;

/** The history saved in `path`, newest first as readline wants it; none if there is no file. */
export function loadHistory(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

/** Saves readline's history (newest first) to `path`, newest last; a failure to save is not one to report. */
export function saveHistory(path: string, history: readonly string[]): void {
  try {
    writeFileSync(path, [...history].slice(0, HISTORY_SIZE).reverse().join('\n') + '\n', { mode: 0o600 });
  } catch {
    // A read-only peer folder: the history is simply not kept.
  }
}

interface Key {
  readonly name?: string;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
}

/** readline's internals that a search needs (stable since Node 10; checked before use). */
interface ReadlineInternals {
  _ttyWrite(s: string | undefined, key: Key | undefined): void;
  _refreshLine(): void;
  history: string[];
  line: string;
  cursor: number;
}

/** Adds Ctrl-R history search to a terminal readline; `prompt` is the normal prompt. */
export function addHistorySearch(rl: Interface, prompt: string): void {
  const inner = rl as unknown as ReadlineInternals;
  if (typeof inner._ttyWrite !== 'function' || typeof inner._refreshLine !== 'function') return;
  const keys = inner._ttyWrite.bind(rl);
  let search: { query: string; at: number; saved: string } | undefined;
  const show = (line: string) => {
    rl.setPrompt(search ? `(reverse-i-search)'${search.query}': ` : prompt);
    inner.line = line;
    inner.cursor = line.length;
    inner._refreshLine();
  };
  const find = (from: number) => {
    if (!search) return;
    const at = inner.history.findIndex((h, i) => i >= from && h.includes(search?.query ?? ''));
    if (at >= 0) search.at = at;
    show(at >= 0 ? (inner.history[at] as string) : (inner.history[search.at] ?? ''));
  };
  const end = (line: string) => {
    search = undefined;
    show(line);
  };
  inner._ttyWrite = (s, key) => {
    if (!search) {
      if (key?.ctrl && key.name === 'r') {
        search = { query: '', at: -1, saved: inner.line };
        return show(inner.line);
      }
      return keys(s, key);
    }
    if (key?.ctrl && key.name === 'r') return find(search.at + 1);
    if (key?.name === 'backspace') {
      search.query = search.query.slice(0, -1);
      return find(0);
    }
    if (key?.name === 'escape' || (key?.ctrl && (key.name === 'g' || key.name === 'c'))) return end(search.saved);
    if (s !== undefined && s.length === 1 && s >= ' ' && !key?.ctrl && !key?.meta) {
      search.query += s;
      return find(Math.max(search.at, 0));
    }
    // Enter runs the command found; any other key takes it for editing, then acts.
    end(inner.line);
    keys(s, key);
  };
}
