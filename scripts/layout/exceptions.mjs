// The known exceptions to the layout rules: violations that were there when the check came and
// are being fixed. A finding not in the list fails the check; so does an entry that no longer
// matches a finding (fixed: remove it), and a file or function that grew past its entry's size.
// The list can only shrink.
import { readFileSync } from 'node:fs';

/** Each section of the list: how an entry is keyed (as findings are), which finding kind it excuses. */
const SECTIONS = {
  longFiles: { kind: 'longFile', key: (e) => e.file, sized: true },
  longFunctions: { kind: 'longFunction', key: (e) => `${e.file} ${e.function}`, sized: true },
  imports: { kind: 'import', key: (e) => `${e.from} -> ${e.to}` },
  cycles: { kind: 'cycle', key: (e) => [...e].sort().join(' ') },
  untested: { kind: 'untested', key: (e) => e },
};

/** Reads the list; a missing section is an empty one. `name`: the list's path as printed. */
export function loadExceptions(path, name = path) {
  const text = readFileSync(path, 'utf8');
  const json = JSON.parse(text);
  const unknown = Object.keys(json).filter((k) => !(k in SECTIONS) && !k.startsWith('//'));
  if (unknown.length > 0) throw new Error(`${path}: unknown section(s) ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`);
  return { path, name, text, json };
}

/**
 * Splits findings into the excused and the failing, and adds a failure per stale entry.
 * @returns {{ failures: object[], excused: object[], notes: string[] }}
 */
export function applyExceptions(findings, list) {
  const failures = [];
  const excused = [];
  const notes = [];
  const used = new Set();
  const entries = new Map();
  for (const [section, rule] of Object.entries(SECTIONS)) {
    for (const entry of list.json[section] ?? []) entries.set(`${rule.kind}\0${rule.key(entry)}`, { section, rule, entry });
  }
  for (const finding of findings) {
    const id = `${finding.kind}\0${finding.key}`;
    const match = entries.get(id);
    if (!match) {
      failures.push(finding);
      continue;
    }
    used.add(id);
    if (match.rule.sized && finding.size > match.entry.lines) {
      failures.push({ ...finding, message: `${finding.message}: grew past the ${match.entry.lines} lines its exception allows` });
      continue;
    }
    excused.push(finding);
    if (match.rule.sized && finding.size < match.entry.lines) {
      notes.push(`${list.name}:${entryLine(list.text, match.section, match.entry)}: ${finding.key} is down to ${finding.size} lines: lower "lines" to ${finding.size}`);
    }
  }
  for (const [id, { section, rule, entry }] of entries) {
    if (used.has(id)) continue;
    failures.push({
      kind: 'stale',
      file: list.name,
      line: entryLine(list.text, section, entry),
      message: `${section} entry "${rule.key(entry)}" no longer violates the rule: remove it (the list only shrinks)`,
    });
  }
  return { failures, excused, notes };
}

/** The line of the list on which an entry stands: in its section, the first naming all its strings. */
function entryLine(text, section, entry) {
  const strings = typeof entry === 'string' ? [entry] : Object.values(entry).filter((v) => typeof v === 'string');
  const lines = text.split('\n');
  const start = Math.max(0, lines.findIndex((l) => l.includes(JSON.stringify(section))));
  const index = lines.findIndex((l, i) => i >= start && strings.every((s) => l.includes(JSON.stringify(s))));
  return index + 1 || 1;
}
