import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { expect } from 'chai';
import { checkName, nameProblem, resolveName, textNames } from '../../src/storage/names.js';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tempDir } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

/** A name of exactly `bytes` UTF-8 bytes, made of segments of at most 200 bytes, ending in .txt. */
function longName(bytes: number): string {
  const segments: string[] = [];
  let left = bytes - '.txt'.length;
  while (left > 200) {
    segments.push('d'.repeat(199));
    left -= 200; // segment plus '/'
  }
  const name = segments.join('/') + (segments.length > 0 ? '/' : '') + 'f'.repeat(left) + '.txt';
  expect(Buffer.byteLength(name)).to.equal(bytes);
  return name;
}

describe('storage/names', () => {
  const good = [
    'a.txt',
    'sub/dir/b.txt',
    'my notes.txt',
    'résumé.txt',
    '日本語/ノート.txt',
    '😀.txt',
    '100%.txt',
    'a..b.txt',
    'x.txt.txt',
    'C.txt',
    `${'s'.repeat(251)}.txt`, // a 255-byte segment
    longName(1024),
  ];
  for (const name of good) {
    it(`accepts ${JSON.stringify(name.length > 40 ? `${name.slice(0, 20)}…(${Buffer.byteLength(name)} bytes)` : name)}`, () => {
      expect(nameProblem(name)).to.equal(undefined);
      expect(checkName(name)).to.equal(name);
    });
  }

  const bad: [string, string][] = [
    ['empty', ''],
    ['absolute /etc/passwd.txt', '/etc/passwd.txt'],
    ['../x.txt', '../x.txt'],
    ['a/../x.txt', 'a/../x.txt'],
    ['a/..', 'a/..'],
    ['a/./x.txt', 'a/./x.txt'],
    ['./x.txt', './x.txt'],
    ['a//x.txt', 'a//x.txt'],
    ['backslash a\\x.txt', 'a\\x.txt'],
    ['..\\x.txt', '..\\x.txt'],
    ['NUL x\\0.txt', 'x\0.txt'],
    ['newline', 'a\nb.txt'],
    ['tab', 'a\tb.txt'],
    ['escape', '\x1b[31m.txt'],
    ['DEL', 'a\x7f.txt'],
    ['replacement character', 'a\uFFFD.txt'],
    ['.hidden.txt', '.hidden.txt'],
    ['dir/.x.txt', 'dir/.x.txt'],
    ['.dir/x.txt', '.dir/x.txt'],
    ['bare .txt', '.txt'],
    ['dir/.txt', 'dir/.txt'],
    ['x.md', 'x.md'],
    ['no extension', 'README'],
    ['upper-case .TXT', 'x.TXT'],
    ['x.txt/', 'x.txt/'],
    ['drive C:x.txt', 'C:x.txt'],
    ['drive C:/x.txt', 'C:/x.txt'],
    ['1025 bytes', longName(1025)],
    ['a 256-byte segment', `${'s'.repeat(252)}.txt`],
    ['a 256-byte directory segment', `${'s'.repeat(256)}/x.txt`],
  ];
  for (const [what, name] of bad) {
    it(`refuses ${what} with ERR_BAD_NAME`, () => {
      expect(nameProblem(name)).to.be.a('string');
      expectCode(() => checkName(name), 'ERR_BAD_NAME');
    });
  }

  describe('resolveName', () => {
    const root = join(tmpdir(), 'txtmesh-names-root');

    it('returns a path inside the root', () => {
      for (const name of ['a.txt', 'sub/dir/b.txt', 'my notes.txt', 'a..b.txt']) {
        const full = resolveName(root, name);
        expect(full).to.equal(join(resolve(root), ...name.split('/')));
        const rel = relative(resolve(root), full);
        expect(rel.split(sep)).to.deep.equal(name.split('/'));
      }
    });

    it('resolves a relative root', () => {
      expect(resolveName('served', 'x/y.txt')).to.equal(resolve('served', 'x', 'y.txt'));
    });

    it('refuses bad names with ERR_BAD_NAME', () => {
      for (const name of ['../x.txt', 'a/../../x.txt', '/etc/passwd.txt', '', 'a\\..\\x.txt']) {
        expectCode(() => resolveName(root, name), 'ERR_BAD_NAME');
      }
    });
  });

  describe('textNames', () => {
    it('lists the *.txt files under a folder, sorted, without hidden names, links or bad names', async () => {
      const root = await tempDir();
      try {
        await mkdir(join(root, 'sub'));
        for (const name of ['b.txt', 'a.txt', 'sub/c.txt', 'notes.md', '.hidden.txt', 'bad\\name.txt']) await writeFile(join(root, name), 'x');
        await symlink(join(root, 'a.txt'), join(root, 'link.txt'));
        expect(await textNames(root)).to.deep.equal(['a.txt', 'b.txt', 'sub/c.txt']);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    });
  });
});
