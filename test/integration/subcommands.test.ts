/**
 * txtmesh-client subcommands as a script runs them: against a mesh where one peer is down and
 * one holds another version of a file, compared with what was planted. Human output and
 * --json (exactly one JSON document on stdout), and one exit status per class of failure.
 */
import { expect } from 'chai';
import { open, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PIECE_SIZE } from '../../src/constants.js';
import { type Mesh, makeText, startMesh } from '../helpers.js';
import { clientJs, run } from './cli-helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

describe('txtmesh-client subcommands', function () {
  this.timeout(30_000);
  let mesh: Mesh;
  const lorem = makeText(3 * PIECE_SIZE + 5);

  before(async function () {
    mesh = await startMesh(
      {
        p1: { files: { 'hello.txt': 'Hello\n', 'my notes.txt': 'spaces\r\n' } },
        p2: { files: { 'hello.txt': 'Hello\n', 'lorem.txt': lorem } },
        p3: { files: { 'hello.txt': 'Hello, other\n', 'lorem.txt': lorem } },
        p4: { state: 'down' },
      },
      ['p5'],
    );
    await mesh.writeSettings();
  });
  after(() => mesh.stop());

  const cli = (...args: string[]) => run(clientJs, args, join(mesh.root, 'p5'));
  /** Runs with --json; stdout must be exactly one JSON document on one line. */
  const json = async (...args: string[]): Promise<{ code: number | null; doc: Doc; stderr: string }> => {
    const r = await cli(...args, '--json');
    expect(r.stdout.endsWith('\n') && r.stdout.indexOf('\n') === r.stdout.length - 1, `one line on stdout: ${r.stdout}`).to.equal(true);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.exitCode, 'exitCode in the document is the exit status').to.equal(r.code);
    expect(doc.ok).to.equal(r.code === 0);
    return { code: r.code, doc, stderr: r.stderr };
  };

  it('peers: every peer in the settings, the down one and this one offline; exit 0', async function () {
    const r = await cli('peers');
    expect(r.code).to.equal(0);
    const lines = r.stdout.trimEnd().split('\n').slice(1);
    expect(r.stdout).to.match(/^mesh: open /);
    expect(lines[0]).to.match(/^peer +address +status +rtt +files +version$/);
    expect(lines[1]).to.match(/^p1 +127\.0\.0\.1:\d+ +online +[\d.]+ ms +2 +txtmesh\/1$/);
    expect(lines[4]).to.match(/^p4 +127\.0\.0\.1:\d+ +offline +- +- +- +nothing listens at .*is p4's server running\? \(ERR_PEER_UNREACHABLE/);
    expect(lines[5]).to.match(/^p5 .*offline .*this peer/);
    expect(lines[6]).to.equal('3 of 5 peers online');

    const { code, doc } = await json('peers');
    expect(code).to.equal(0);
    expect(doc.command).to.equal('peers');
    expect(doc.peers.map((p: Doc) => [p.peer, p.online, p.files, p.version, p.self])).to.deep.equal([
      ['p1', true, 2, 'txtmesh/1', false],
      ['p2', true, 2, 'txtmesh/1', false],
      ['p3', true, 2, 'txtmesh/1', false],
      ['p4', false, null, null, false],
      ['p5', false, null, null, true],
    ]);
    expect(doc.peers[3].error.code).to.equal('ERR_PEER_UNREACHABLE');
    expect(doc.peers[0].address).to.equal(`127.0.0.1:${mesh.address('p1').port}`);
    expect(doc.peers[0].rttMs).to.be.a('number');
  });

  it('files: each name with the peers of each version, the conflict flagged, the down peer named; exit 0', async function () {
    const r = await cli('files');
    expect(r.code).to.equal(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).to.equal('3 files on the mesh (3 of 5 peers listed; 1 name held in different versions)');
    expect(lines[1]).to.match(/^ {2}hello\.txt +6 B +[0-9a-f]{12} +p1, p2 +CONFLICT: version 1 of 2$/);
    expect(lines[2]).to.match(/^ {2}hello\.txt +13 B +[0-9a-f]{12} +p3 +CONFLICT: version 2 of 2$/);
    expect(lines[3]).to.match(/^ {2}lorem\.txt +768 KiB +[0-9a-f]{12} +p2, p3$/);
    expect(lines[4]).to.match(/^ {2}my notes\.txt +8 B +[0-9a-f]{12} +p1$/);
    expect(lines[5]).to.match(/^p4: unreachable: .*ERR_PEER_UNREACHABLE/);

    const { doc } = await json('files');
    expect(doc.files.map((f: Doc) => [f.name, f.conflict, f.versions.map((v: Doc) => [v.size, v.peers])])).to.deep.equal([
      ['hello.txt', true, [[6, ['p1', 'p2']], [13, ['p3']]]],
      ['lorem.txt', false, [[lorem.length, ['p2', 'p3']]]],
      ['my notes.txt', false, [[8, ['p1']]]],
    ]);
    expect(doc.files[0].versions[0].identity).to.match(/^[0-9a-f]{64}$/);
    expect(doc.peers.map((p: Doc) => [p.peer, p.ok])).to.deep.equal([['p1', true], ['p2', true], ['p3', true], ['p4', false], ['p5', false]]);
  });

  it('filelist / discover: the files of the named peers; exit 3 if one is unreachable', async function () {
    const { code, doc } = await json('filelist', 'p1', 'p2');
    expect(code).to.equal(0);
    expect(doc.peers.map((p: Doc) => [p.peer, p.files.map((f: Doc) => f.name)])).to.deep.equal([
      ['p1', ['hello.txt', 'my notes.txt']],
      ['p2', ['hello.txt', 'lorem.txt']],
    ]);
    const down = await json('filelist', 'p1', 'p4');
    expect(down.code).to.equal(3);
    expect(down.doc.peers[1]).to.deep.include({ peer: 'p4', ok: false });
    expect(down.doc.peers[1].error.code).to.equal('ERR_PEER_UNREACHABLE');
    const human = await cli('discover', 'p1');
    expect(human.code).to.equal(0);
    expect(human.stdout).to.match(/^p1: 2 files\n {2}hello\.txt +6 B +[0-9a-f]{12}\n {2}my notes\.txt +8 B +[0-9a-f]{12}\n$/);
    const discover = await json('discover', 'p1');
    expect(discover.doc.command).to.equal('discover');
  });

  it('ping: min/avg/max over --count HELLOs; exit 3 when a peer is unreachable, 2 for a bad count', async function () {
    const { code, doc } = await json('ping', 'p1', 'p2', '--count', '2');
    expect(code).to.equal(0);
    expect(doc.count).to.equal(2);
    expect(doc.peers.map((p: Doc) => [p.peer, p.reachable, p.sent, p.received, p.samples.length])).to.deep.equal([
      ['p1', true, 2, 2, 2],
      ['p2', true, 2, 2, 2],
    ]);
    expect(doc.peers[0].rttMs.min).to.be.at.most(doc.peers[0].rttMs.max);
    const human = await cli('ping', 'p2', 'p4');
    expect(human.code).to.equal(3);
    expect(human.stdout).to.match(/^p2 \(127\.0\.0\.1:\d+\): 3\/3 answered, rtt min\/avg\/max [\d.]+\/[\d.]+\/[\d.]+ ms, connect [\d.]+ ms, txtmesh\/1\np4 \(127\.0\.0\.1:\d+\): unreachable: .*ERR_PEER_UNREACHABLE\)\n$/);
    const bad = await json('ping', 'p1', '--count', '0');
    expect(bad.code).to.equal(2);
    expect(bad.doc.error.code).to.equal('ERR_USAGE');
  });

  it('download with no peers: finds the holders, says so on stderr under --json, downloads byte for byte', async function () {
    const { code, doc, stderr } = await json('download', 'lorem.txt');
    expect(code).to.equal(0);
    expect(stderr).to.contain('Found lorem.txt at p2, p3\n');
    expect(doc).to.deep.include({ command: 'download', name: 'lorem.txt', status: 'downloaded', size: lorem.length, searched: true, found: ['p2', 'p3'], missing: ['p1'] });
    expect(doc.unreachable.map((u: Doc) => [u.peer, u.error.code])).to.deep.equal([['p4', 'ERR_PEER_UNREACHABLE']]);
    expect(doc.peers.filter((p: Doc) => p.bytes > 0).reduce((sum: number, p: Doc) => sum + p.bytes, 0)).to.equal(lorem.length);
    expect((await readFile(join(mesh.dirOf('p5'), 'lorem.txt'))).equals(lorem)).to.equal(true);
    const again = await cli('download', 'lorem.txt', '--from', 'p2');
    expect(again.code).to.equal(0);
    expect(again.stdout).to.match(/^Already have lorem\.txt \(\d+ bytes, identity [0-9a-f]{12}\); nothing to do\n$/);
  });

  it('download: exit 5 for versions without a majority, 4 for a file nobody has, 3 when the peers are down, 2 for usage', async function () {
    const conflict = await json('download', 'hello.txt', '--from', 'p1', 'p3');
    expect(conflict.code).to.equal(5);
    expect(conflict.doc.error.code).to.equal('ERR_VERSION_CONFLICT');
    expect(conflict.doc.error.message).to.match(/at p1.*at p3|at p3.*at p1/);
    // The document says which peer holds which version, so a script can choose.
    expect(conflict.doc.found).to.deep.equal(['p1', 'p3']);
    expect(conflict.doc.versions.map((v: Doc) => [v.size, v.peers]).sort()).to.deep.equal([[13, ['p3']], [6, ['p1']]]);
    expect(conflict.doc.versions[0].identity).to.match(/^[0-9a-f]{64}$/);
    const missing = await json('download', 'nope.txt');
    expect(missing.code).to.equal(4);
    expect(missing.doc.error.code).to.equal('ERR_NOT_FOUND');
    expect(missing.doc).to.deep.include({ found: [], missing: ['p1', 'p2', 'p3'], versions: [] });
    expect(missing.doc.unreachable.map((u: Doc) => u.peer)).to.deep.equal(['p4']);
    const down = await json('download', 'hello.txt', '--from', 'p4');
    expect(down.code).to.equal(3);
    expect(down.doc.error.code).to.equal('ERR_PEER_UNREACHABLE');
    const unknown = await json('download', 'hello.txt', '--from', 'p9');
    expect(unknown.code).to.equal(2);
    expect(unknown.doc.error.code).to.equal('ERR_UNKNOWN_PEER');
    const noName = await json('download');
    expect(noName.code).to.equal(2);
    expect(noName.doc).to.deep.include({ command: 'download', ok: false });
    expect((await cli('download', '../x.txt')).code).to.equal(2);
    // The majority wins when there is one; the other version is named, not mixed.
    const majority = await json('download', 'hello.txt');
    expect(majority.code).to.equal(0);
    expect(majority.doc.peers.find((p: Doc) => p.peer === 'p3').problem).to.match(/another version/);
    expect(await readFile(join(mesh.dirOf('p5'), 'hello.txt'), 'utf8')).to.equal('Hello\n');
  });

  it('upload: one outcome per peer; exit 5 when a peer has a different file, 4 for a file not served here', async function () {
    await writeFile(join(mesh.dirOf('p5'), 'hello.txt'), 'Hello\n', { flag: 'w' });
    await writeFile(join(mesh.dirOf('p5'), 'fresh.txt'), 'fresh\n');
    const ok = await json('upload', 'fresh.txt', '--to', 'p1', 'p2');
    expect(ok.code).to.equal(0);
    expect(ok.doc.peers.map((p: Doc) => [p.peer, p.status, p.bytes])).to.deep.equal([['p1', 'stored', 6], ['p2', 'stored', 6]]);
    const human = await cli('upload', 'fresh.txt', '--to', 'p1', 'p3');
    expect(human.code).to.equal(0);
    expect(human.stdout).to.match(/^p1: already has fresh\.txt \(same content\)\np3: stored fresh\.txt \(6 bytes in [\d.]+ s\)\n$/);
    const mixed = await json('upload', 'hello.txt', '--to', 'p2', 'p3', 'p4');
    expect(mixed.code).to.equal(5);
    expect(mixed.doc.peers.map((p: Doc) => [p.peer, p.status, p.error?.code ?? null])).to.deep.equal([
      ['p2', 'same', null],
      ['p3', 'failed', 'ERR_EXISTS'],
      ['p4', 'failed', 'ERR_PEER_UNREACHABLE'],
    ]);
    expect(await readFile(join(mesh.dirOf('p3'), 'hello.txt'), 'utf8')).to.equal('Hello, other\n');
    const notServed = await cli('upload', 'ghost.txt', '--to', 'p1');
    expect(notServed.code).to.equal(4);
    expect(notServed.stderr).to.match(/ghost\.txt is not served by this peer.*txtmesh-client share path \[name\] first \(ERR_NOT_FOUND\)/);
    expect(notServed.stdout).to.equal('');
    expect((await cli('upload', 'fresh.txt')).code).to.equal(2);
  });

  it('share: copies a file into served_files so the server lists it; exit 5 over a different file', async function () {
    await writeFile(join(mesh.root, 'outside.txt'), 'from elsewhere\n');
    const { code, doc } = await json('share', '../outside.txt');
    expect(code).to.equal(0);
    expect(doc).to.deep.include({ command: 'share', name: 'outside.txt', source: join(mesh.root, 'outside.txt'), size: 15, status: 'shared' });
    expect(await readFile(join(mesh.dirOf('p5'), 'outside.txt'), 'utf8')).to.equal('from elsewhere\n');
    const human = await cli('share', '../outside.txt', 'copy/again.txt');
    expect(human.code).to.equal(0);
    expect(human.stdout).to.match(/^Shared .*outside\.txt as copy\/again\.txt \(15 bytes, identity [0-9a-f]{12}\); this peer's server is not running: it serves the file once txtmesh-server runs in this peer folder\n$/);
    await writeFile(join(mesh.root, 'other.txt'), 'other\n');
    const clash = await json('share', '../other.txt', 'outside.txt');
    expect(clash.code).to.equal(5);
    expect(clash.doc.error.code).to.equal('ERR_EXISTS');
    expect(await readFile(join(mesh.dirOf('p5'), 'outside.txt'), 'utf8')).to.equal('from elsewhere\n');
    expect((await readdir(mesh.dirOf('p5'))).filter((n) => n.startsWith('.'))).to.deep.equal([]);
  });

  it('exits 2 for an unknown subcommand or option, with a JSON document under --json', async function () {
    const r = await cli('frobnicate');
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('unknown command frobnicate');
    const j = await cli('peers', '--bogus', '--json');
    expect(j.code).to.equal(2);
    expect(JSON.parse(j.stdout)).to.deep.include({ command: 'peers', ok: false, exitCode: 2 });
  });

  it('explains every subcommand in --help', async function () {
    const top = await cli('--help');
    for (const word of ['filelist', 'discover', 'peers', 'ping', 'files', 'download', 'upload', 'share', 'Exit status']) expect(top.stdout).to.contain(word);
    const checks: [string, string[]][] = [
      ['download', ['--from', '--json', 'name']],
      ['upload', ['--to', '--json']],
      ['ping', ['--count', '--json']],
      ['share', ['path', 'name']],
      ['files', ['which are newer', '--json']],
      ['peers', ['round-trip', '--json']],
    ];
    for (const [command, words] of checks) {
      const r = await cli(command, '--help');
      expect(r.code, command).to.equal(0);
      for (const word of words) expect(r.stdout, `${command} --help`).to.contain(word);
    }
  });
});

describe('txtmesh-client download from a lying peer', function () {
  this.timeout(30_000);

  it('exits 6 (integrity) when the only peer sends bytes that fail verification', async function () {
    const text = makeText(4 * PIECE_SIZE);
    const mesh = await startMesh({ liar: { files: { 'f.txt': text } } }, ['me']);
    try {
      await mesh.writeSettings();
      // Keep size, inode and mtime, so the liar serves new bytes under the old identity.
      const path = join(mesh.dirOf('liar'), 'f.txt');
      await utimes(path, 1_000_000, 1_000_000);
      await mesh.servers.get('liar')?.folder.describe('f.txt');
      const handle = await open(path, 'r+');
      await handle.write(Buffer.from('XXXX'), 0, 4, PIECE_SIZE);
      await handle.close();
      await utimes(path, 1_000_000, 1_000_000);
      const r = await run(clientJs, ['download', 'f.txt', '--from', 'liar', '--json'], join(mesh.root, 'me'));
      expect(r.code).to.equal(6);
      const doc = JSON.parse(r.stdout) as Doc;
      expect(doc.error.code).to.equal('ERR_DOWNLOAD_INCOMPLETE');
      expect(doc.error.message).to.contain('ERR_HASH_MISMATCH');
      // Nothing under the real name; pieces that did verify (if any arrived before the bad
      // one: downloads start at a random piece) are kept in a hidden part file for a resume.
      const left = await readdir(mesh.dirOf('me'));
      expect(left).to.not.include('f.txt');
      expect(left.every((n) => n.endsWith('.txtmesh-part') || n.endsWith('.txtmesh-have'))).to.equal(true);
      expect(left.filter((n) => n.endsWith('.txtmesh-part')).length).to.be.at.most(1);
    } finally {
      await mesh.stop();
    }
  });
});
