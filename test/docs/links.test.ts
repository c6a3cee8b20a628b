/**
 * Every relative link in README.md, docs/*.md and bench/README.md leads to a file of the
 * repository, and every #anchor to a heading of that file (GitHub's heading ids), so moving a
 * section cannot silently break the way to it; every src/ or test/ file they name exists; and
 * every comment or message in the code that sends a reader to a section
 * (`docs/PROTOCOL.md, "Frames"`, `README, "Security model"`) names one that exists.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DOCS = ['README.md', 'bench/README.md', ...readdirSync(join(repo, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Markdown without its fenced code blocks (links and headings there are not links or headings). */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
}

/** The ids GitHub gives a file's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of prose(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = (match[1] as string)
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    ids.add(count === 0 ? base : `${base}-${count}`);
  }
  return ids;
}

describe('links in the documentation', () => {
  it('GitHub heading ids: punctuation dropped, repeats numbered', () => {
    const ids = headingIds('## `#DOWNLOAD name [peer ...]`\n## Rotating a peer\'s identity\n### Malformed frames\n#### Malformed frames\n');
    expect([...ids]).to.deep.equal(['download-name-peer-', 'rotating-a-peers-identity', 'malformed-frames', 'malformed-frames-1']);
  });

  for (const doc of DOCS) {
    it(`${doc}: every relative link and anchor resolves`, () => {
      const text = readFileSync(join(repo, doc), 'utf8');
      const broken: string[] = [];
      for (const match of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] as string;
        if (/^[a-z]+:/.test(target)) continue;
        const [path = '', anchor] = target.split('#');
        const file = path === '' ? join(repo, doc) : resolve(dirname(join(repo, doc)), path);
        if (relative(repo, file).startsWith('..')) continue; // outside the repository (the seed document)
        if (!existsSync(file)) broken.push(`${target}: no such file`);
        else if (anchor !== undefined && !headingIds(readFileSync(file, 'utf8')).has(anchor)) broken.push(`${target}: no such heading`);
      }
      expect(broken).to.deep.equal([]);
    });
  }

  for (const doc of DOCS) {
    it(`${doc}: every file of src/ and test/ it names exists`, () => {
      const named = [...readFileSync(join(repo, doc), 'utf8').matchAll(/\b((?:src|test)\/[\w./-]+\.ts)\b/g)].map((m) => m[1] as string);
      expect(named.filter((path) => !existsSync(join(repo, path)))).to.deep.equal([]);
    });
  }

  it('every section the code points to exists', () => {
    const sources = [
      'peer_settings.txt',
      ...['src', 'bench', 'scripts'].flatMap((dir) =>
        (readdirSync(join(repo, dir), { recursive: true }) as string[]).filter((f) => /\.(ts|mjs|sh)$/.test(f)).map((f) => `${dir}/${f}`),
      ),
    ];
    const pointers: string[] = [];
    const broken: string[] = [];
    for (const source of sources) {
      const text = readFileSync(join(repo, source), 'utf8');
      for (const match of text.matchAll(/(README|docs\/[\w.-]+\.md),?\s*(?:\*\s*)?"([^"]+)"/g)) {
        const doc = match[1] === 'README' ? 'README.md' : (match[1] as string);
        const id = [...headingIds(`# ${match[2]}`)][0] as string;
        pointers.push(`${source}: ${doc}, "${match[2]}"`);
        if (!existsSync(join(repo, doc)) || !headingIds(readFileSync(join(repo, doc), 'utf8')).has(id)) broken.push(pointers.at(-1) as string);
      }
    }
    expect(pointers.length, 'pointers found').to.be.greaterThan(10);
    expect(broken).to.deep.equal([]);
  });
});
