/**
 * cli/download-command: #DOWNLOAD of one name, of several, and of globs, on a session over real
 * servers: names and peers told apart, a few files at a time, one summary per file, the worst
 * exit status; --from, --replace and --version as options of the console line.
 */
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadCommand } from '../../src/cli/download-command.js';
import { exitCodeOf } from '../../src/cli/exit-codes.js';
import type { Session } from '../../src/cli/session.js';
import type { DownloadSummary, DownloadsSummary } from '../../src/client/results.js';
import { VersionsArea } from '../../src/storage/versions-area.js';
import { type Mesh, startMesh } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

describe('cli/download-command', function () {
  this.timeout(30_000);
  let mesh: Mesh;
  let session: Session;
  const progress: string[] = [];
  const notes: string[] = [];
  before(async () => {
    mesh = await startMesh(
      {
        p1: { files: { 'notes/a.txt': 'A\n', 'notes/b.txt': 'B\n', 'notes/deep/c.txt': 'C\n', 'top.txt': 'top\n', 'same.txt': 'one\n' } },
        p2: { files: { 'notes/a.txt': 'A\n', 'same.txt': 'two\n' } },
        p3: { state: 'down' },
      },
      ['me'],
    );
    const folder = await mesh.folderOf('me');
    const out = { print: () => undefined, note: (l: string) => notes.push(l), progress: (l: string | undefined) => void (l !== undefined && progress.push(l)) };
    session = { ctx: mesh.contextOf('me'), folder, versions: new VersionsArea(folder), out, timeoutMs: 5000 };
  });
  after(() => mesh.stop());
  const signal = new AbortController().signal;
  const mine = (name: string) => readFile(join(session.folder.root, ...name.split('/')), 'utf8');

  it('one name: the single-file summary, with the peers named after it', async function () {
    const r = (await downloadCommand(session, ['top.txt', 'p1'], signal)) as DownloadSummary;
    expect(r).to.deep.include({ command: 'download', name: 'top.txt', status: 'downloaded', searched: false, kept: null, others: [] });
    expect(await mine('top.txt')).to.equal('top\n');
  });

  it('a glob and a name, from every peer: each file once, sorted, one total progress line, exit 0', async function () {
    progress.length = 0;
    const r = (await downloadCommand(session, ['notes/*.txt', 'notes/deep/c.txt', 'notes/a.txt'], signal)) as DownloadsSummary;
    expect(r.command).to.equal('downloads');
    expect(r.files.map((f) => [f.name, f.ok, f.ok && f.status])).to.deep.equal([
      ['notes/a.txt', true, 'downloaded'],
      ['notes/b.txt', true, 'downloaded'],
      ['notes/deep/c.txt', true, 'downloaded'],
    ]);
    expect(exitCodeOf(r)).to.equal(0);
    expect(await mine('notes/deep/c.txt')).to.equal('C\n');
    expect(progress.at(-1)).to.match(/^3 of 3 files  100\.0%/);
  });

  it('several names with --from: a failure of one is its own entry, and the exit status is the worst', async function () {
    const r = (await downloadCommand(session, ['top.txt', 'missing.txt', 'same.txt', '--from', 'p1', 'p2'], signal)) as DownloadsSummary;
    const rows = r.files.map((f) => [f.name, f.ok, f.exitCode, f.ok ? f.status : f.error.code]);
    expect(rows).to.deep.equal([
      ['top.txt', true, 0, 'already'],
      ['missing.txt', false, 4, 'ERR_NOT_FOUND'],
      ['same.txt', false, 5, 'ERR_VERSION_CONFLICT'],
    ]);
    const conflict = r.files[2] as { versions?: unknown[] };
    expect(conflict.versions).to.have.length(2); // what the peers hold, for a script to choose
    expect(exitCodeOf(r)).to.equal(5);
  });

  it('--replace and --version reach the download; --version with several files is refused', async function () {
    await writeFile(join(session.folder.root, 'same.txt'), 'mine\n');
    const kept = (await downloadCommand(session, ['same.txt', 'p1'], signal)) as DownloadSummary;
    expect(kept.status).to.equal('already');
    const picked = (await downloadCommand(session, ['same.txt', '--version', kept.others[0]?.identity.slice(0, 8) ?? ''], signal)) as DownloadSummary;
    expect(picked.status).to.equal('replaced');
    expect(await mine('same.txt')).to.equal('one\n');
    const replaced = (await downloadCommand(session, ['same.txt', 'p2', '--replace'], signal)) as DownloadSummary;
    expect(replaced).to.deep.include({ status: 'replaced' });
    expect(await mine('same.txt')).to.equal('two\n');
    await expectCode(downloadCommand(session, ['a.txt', 'b.txt', '--version', 'abc'], signal), 'ERR_USAGE');
  });

  it('refuses no name, a word that is neither a name nor a peer, a glob nothing matches, and an unknown option', async function () {
    await expectCode(downloadCommand(session, [], signal), 'ERR_USAGE');
    await expectCode(downloadCommand(session, ['p1'], signal), 'ERR_BAD_NAME');
    await expectCode(downloadCommand(session, ['top.txt', 'nobody'], signal), 'ERR_UNKNOWN_PEER');
    await expectCode(downloadCommand(session, ['none/*.txt', 'p1'], signal), 'ERR_NOT_FOUND');
    await expectCode(downloadCommand(session, ['top.txt', '--force'], signal), 'ERR_USAGE');
  });
});
