/**
 * The README's command table and docs/cli.md say what the command spec says (the table
 * #HELP, Tab completion and the subcommands' --help are made from), so none of them drifts.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMAND_SPECS } from '../../src/cli/command-specs.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const cli = readFileSync(join(repo, 'docs', 'cli.md'), 'utf8');

const TABLE_HEAD = '| console | subcommand | what it does |';

/** The rows of the markdown table that starts with `head`, split into trimmed cells. */
function tableRows(markdown: string, head: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(head);
  if (start < 0) throw new Error(`no table ${head}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split('|').map((cell) => cell.trim()));
  }
  return rows;
}

const code = (text: string | undefined) => (text === undefined ? '' : `\`${text}\``);

describe('README command table and docs/cli.md against the command spec', () => {
  it('the README has one row per command: usage, subcommand and summary as the spec has them', () => {
    const rows = tableRows(readme, TABLE_HEAD);
    const wanted = COMMAND_SPECS.map((s) => [code(s.usage), code(s.subcommand), s.summary]);
    expect(rows).to.deep.equal(wanted);
  });

  it('docs/cli.md has a section for every command, with its subcommand, JSON shape and exit statuses', () => {
    const sections = cli.split(/^### /m).slice(1);
    for (const spec of COMMAND_SPECS) {
      const section = sections.find((s) => s.startsWith(`${code(spec.usage)}\n`));
      expect(section, spec.usage).to.be.a('string');
      if (spec.subcommand) expect(section, spec.usage).to.contain(`As a subcommand: ${code(spec.subcommand)}`);
      if (spec.json) expect(section, spec.usage).to.contain(`\nJSON: ${code(spec.json)}\n`);
      if (spec.exit) expect(section, spec.usage).to.contain(`\nExit status: ${spec.exit}\n`);
    }
  });

  it('docs/cli.md has no command section the spec does not know', () => {
    const headings = [...cli.matchAll(/^### `(#[A-Z]+)[^`]*`$/gm)].map((m) => m[1]);
    expect(headings).to.deep.equal(COMMAND_SPECS.map((s) => s.name));
  });
});
