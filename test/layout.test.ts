/**
 * The layout check (scripts/check-layout.mjs, npm run check:layout): this repo's src/ must pass
 * it, and the check itself must catch each kind of violation, in temp trees built here.
 */
import { expect } from 'chai';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir, writeFiles } from './helpers.js';
import { repo, run } from './integration/cli-helpers.js';

const script = join(repo, 'scripts', 'check-layout.mjs');

/** scripts/layout/check.mjs, run in-process over the temp trees (a node per tree is slow). */
type CheckLayout = (options: { root: string; exceptions: string }) => { code: 0 | 1; lines: string[] };
const { checkLayout } = (await import(pathToFileURL(join(repo, 'scripts', 'layout', 'check.mjs')).href)) as { checkLayout: CheckLayout };

/** `n` lines of code (a function body's statements). */
const body = (n: number) => '  void 0;\n'.repeat(n);
/** A function declaration of exactly `n` lines. */
const fn = (name: string, n: number) => `export function ${name}(): void {\n${body(n - 2)}}\n`;
/** A file of exactly `n` lines. */
const file = (n: number) => Array.from({ length: n }, (_, i) => `export const c${i} = ${i};\n`).join('');

/** A tree that keeps every rule, with a file and a function exactly at the limits. */
const CLEAN: Record<string, string> = {
  'src/errors.ts': "export class E extends Error {}\n",
  'src/settings.ts': "import { E } from './errors.js';\nexport const s = new E();\n",
  'src/server.ts': "import { c } from './cli/c.js';\nimport { s } from './server/s.js';\nvoid c; void s;\n",
  'src/cli/c.ts': "import { a } from '../client/a.js';\nimport { s } from '../server/s.js';\nexport const c = [a, s];\n",
  'src/client/a.ts': "import { b } from './b.js';\nimport { p } from '../protocol/p.js';\nexport const a = [b, p];\n",
  'src/client/b.ts': fn('limit', 60) + "export const b = 1;\n",
  'src/server/s.ts': "import { p } from '../protocol/p.js';\nimport type { E } from '../errors.js';\nexport const s: E | number = p;\n",
  'src/protocol/p.ts': file(300),
};

/** Each violation: the files that make it, the line it is reported with, and its exception entry. */
const VIOLATIONS = {
  outward: {
    files: { 'src/client/up.ts': "// the engine must not know the console\nimport type { c } from '../cli/c.js';\nexport type U = typeof c;\n" },
    report: 'src/client/up.ts:2: imports src/cli/c.ts, in an outer layer (console and engine API): arrows point inward only',
    entry: { imports: [{ from: 'src/client/up.ts', to: 'src/cli/c.ts' }] },
  },
  sideways: {
    files: { 'src/server/side.ts': "import { a } from '../client/a.js';\nexport const side = a;\n" },
    report: 'src/server/side.ts:1: imports src/client/a.ts, in client/, beside server/ in the same layer: arrows point inward only',
    entry: { imports: [{ from: 'src/server/side.ts', to: 'src/client/a.ts' }] },
  },
  engineOnConsole: {
    files: { 'src/index.ts': "// the engine API re-exports the engine, not the console\nexport { c } from './cli/c.js';\n" },
    report: 'src/index.ts:2: imports src/cli/c.ts, in cli/, beside index.ts in the same layer: arrows point inward only',
    entry: { imports: [{ from: 'src/index.ts', to: 'src/cli/c.ts' }] },
  },
  cycle: {
    files: {
      'src/storage/x.ts': "import { y } from './y.js';\nexport const x = () => y;\n",
      'src/storage/y.ts': "export const y = 1;\nexport const later = () => import('./x.js');\n",
    },
    report: 'src/storage/x.ts:1: import cycle: src/storage/x.ts -> src/storage/y.ts -> src/storage/x.ts',
    entry: { cycles: [['src/storage/y.ts', 'src/storage/x.ts']] },
  },
  impure: {
    files: { 'src/protocol/io.ts': "import { connect } from 'node:net';\nexport const io = connect;\n" },
    report: 'src/protocol/io.ts:1: imports node:net: protocol/ does no I/O',
    entry: { imports: [{ from: 'src/protocol/io.ts', to: 'node:net' }] },
  },
  longFile: {
    files: { 'src/client/big.ts': file(301) },
    report: 'src/client/big.ts:1: has 301 lines (at most 300)',
    entry: { longFiles: [{ file: 'src/client/big.ts', lines: 301 }] },
  },
  longFunction: {
    files: { 'src/client/long.ts': `// one line\n${fn('tooLong', 61)}` },
    report: 'src/client/long.ts:2: function tooLong has 61 lines (at most 60)',
    entry: { longFunctions: [{ file: 'src/client/long.ts', function: 'tooLong', lines: 61 }] },
  },
  longArrow: {
    files: { 'src/client/arrow.ts': `export const arrow = (): void => {\n${body(61)}};\n` },
    report: 'src/client/arrow.ts:1: function arrow has 63 lines (at most 60)',
    entry: { longFunctions: [{ file: 'src/client/arrow.ts', function: 'arrow', lines: 63 }] },
  },
  longMethod: {
    files: { 'src/client/method.ts': `export class Session {\n  #run(): void {\n${body(70)}  }\n}\n` },
    report: 'src/client/method.ts:2: function Session.#run has 72 lines (at most 60)',
    entry: { longFunctions: [{ file: 'src/client/method.ts', function: 'Session.#run', lines: 72 }] },
  },
  longTopLevel: {
    files: { 'src/client.ts': `try {\n${body(60)}} catch {\n  void 1;\n}\n` },
    report: 'src/client.ts:1: (top-level try) has 64 lines (at most 60)',
    entry: { longFunctions: [{ file: 'src/client.ts', function: '(top-level try)', lines: 64 }] },
  },
  untested: {
    files: { 'src/transport/t.ts': 'export const t = 1;\n' },
    report: 'src/transport/t.ts:1: has no test at test/transport/t.test.ts',
    entry: { untested: ['src/transport/t.ts'] },
  },
} as const;

/** CLEAN, plus the files of the named violations, plus a test for every source file unless left out. */
function tree(violations: (keyof typeof VIOLATIONS)[]): Record<string, string> {
  const files: Record<string, string> = { ...CLEAN };
  for (const v of violations) Object.assign(files, VIOLATIONS[v].files);
  for (const path of Object.keys(files)) files[path.replace(/^src\//, 'test/').replace(/\.ts$/, '.test.ts')] = '// a test\n';
  if (violations.includes('untested')) delete files['test/transport/t.test.ts'];
  return files;
}

/** The exception list naming the given violations. */
function listOf(violations: (keyof typeof VIOLATIONS)[]): Record<string, unknown[]> {
  const list: Record<string, unknown[]> = {};
  for (const v of violations) for (const [section, entries] of Object.entries(VIOLATIONS[v].entry)) list[section] = [...(list[section] ?? []), ...entries];
  return list;
}

describe('scripts/check-layout.mjs', function () {
  this.timeout(20_000);
  let root: string;
  beforeEach(async () => (root = await tempDir('txtmesh-layout-')));
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** Runs the check over a tree, with an exception list (one entry a line, as the real one is). */
  async function check(files: Record<string, string>, list: Record<string, unknown[]> = {}): Promise<{ code: number; lines: string[] }> {
    await writeFiles(root, files);
    const text = `{\n${Object.entries(list)
      .map(([section, entries]) => `  ${JSON.stringify(section)}: [\n${entries.map((e) => `    ${JSON.stringify(e)}`).join(',\n')}\n  ]`)
      .join(',\n')}\n}\n`;
    await writeFile(join(root, 'exceptions.json'), text);
    return checkLayout({ root, exceptions: join(root, 'exceptions.json') });
  }

  it("passes this repo's src/, but for the violations scripts/layout-exceptions.json lists (npm run check:layout)", async function () {
    const result = await run(script, [], repo);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^check-layout: 0 failure\(s\); \d+ known exception\(s\) in scripts\/layout-exceptions\.json\n$/);
  });

  it('exits 1 and prints file:line for a tree that breaks a rule, 2 for a bad option', async function () {
    await writeFiles(root, tree(['sideways']));
    await writeFile(join(root, 'exceptions.json'), '{}');
    const result = await run(script, ['--root', root, '--exceptions', join(root, 'exceptions.json')], repo);
    expect(result.stdout).to.equal(`${VIOLATIONS.sideways.report}\ncheck-layout: 1 failure(s); 0 known exception(s) in exceptions.json\n`);
    expect(result.code).to.equal(1);
    const bad = await run(script, ['--root'], repo);
    expect(bad.stderr).to.match(/^unknown or incomplete option --root\nusage: /);
    expect(bad.code).to.equal(2);
  });

  it('passes a tree that keeps every rule, a 300-line file and a 60-line function included', async function () {
    const { code, lines } = await check(tree([]));
    expect(lines).to.deep.equal(['check-layout: 0 failure(s); 0 known exception(s) in exceptions.json']);
    expect(code).to.equal(0);
  });

  for (const [name, violation] of Object.entries(VIOLATIONS) as [keyof typeof VIOLATIONS, (typeof VIOLATIONS)[keyof typeof VIOLATIONS]][]) {
    it(`fails on a new violation (${name}), printed as file:line`, async function () {
      const { code, lines } = await check(tree([name]));
      expect(lines).to.deep.equal([violation.report, 'check-layout: 1 failure(s); 0 known exception(s) in exceptions.json']);
      expect(code).to.equal(1);
    });
  }

  it('passes when the exception list names every violation there is, and only those', async function () {
    const all = Object.keys(VIOLATIONS) as (keyof typeof VIOLATIONS)[];
    const { code, lines } = await check(tree(all), listOf(all));
    expect(lines).to.deep.equal([`check-layout: 0 failure(s); ${all.length} known exception(s) in exceptions.json`]);
    expect(code).to.equal(0);
  });

  it('fails on an entry that no longer violates, naming its line in the list', async function () {
    // src/client/big.ts has a test, so its untested entry (line 9, below its longFiles entry) is stale too.
    const { code, lines } = await check(tree(['longFile']), { ...listOf(['longFile', 'sideways']), untested: ['src/client/big.ts'] });
    expect(lines).to.deep.equal([
      'exceptions.json:6: imports entry "src/server/side.ts -> src/client/a.ts" no longer violates the rule: remove it (the list only shrinks)',
      'exceptions.json:9: untested entry "src/client/big.ts" no longer violates the rule: remove it (the list only shrinks)',
      'check-layout: 2 failure(s); 1 known exception(s) in exceptions.json',
    ]);
    expect(code).to.equal(1);
  });

  it('fails on a listed file or function that grew past its entry, and notes one that shrank', async function () {
    const list = { longFiles: [{ file: 'src/client/big.ts', lines: 300 }], longFunctions: [{ file: 'src/client/long.ts', function: 'tooLong', lines: 70 }] };
    const { code, lines } = await check(tree(['longFile', 'longFunction']), list);
    expect(lines).to.have.length(3);
    expect(lines[0]).to.equal('src/client/big.ts:1: has 301 lines (at most 300): grew past the 300 lines its exception allows');
    expect(lines[1]).to.match(/exceptions\.json:6: src\/client\/long\.ts tooLong is down to 61 lines: lower "lines" to 61$/);
    expect(code).to.equal(1);
  });

  it('reports every violation at once', async function () {
    const all = Object.keys(VIOLATIONS) as (keyof typeof VIOLATIONS)[];
    const { code, lines } = await check(tree(all));
    expect(lines.slice(0, -1)).to.have.members(all.map((v) => VIOLATIONS[v].report));
    expect(lines.at(-1)).to.equal(`check-layout: ${all.length} failure(s); 0 known exception(s) in exceptions.json`);
    expect(code).to.equal(1);
  });
});
