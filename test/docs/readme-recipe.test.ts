/**
 * Runs the README's "Your own mesh on one machine" as a reader would paste it: its shell
 * blocks in order, in bash, from the repository folder, with the console commands typed at
 * the alice> prompt fed to the console on stdin. Only the mesh folder (/tmp/mymesh becomes a
 * temp folder) and the three ports (free ones) are changed, so other tests and users of the
 * machine are not disturbed.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SECTION = '## Your own mesh on one machine';

/** The fenced blocks of the README section, with their info strings. */
function sectionBlocks(): { info: string; lines: string[] }[] {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`README has no section ${SECTION}`);
  const end = readme.indexOf('\n## ', start + SECTION.length + 2);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```(.*)\n([\s\S]*?)^```$/gm)].map((m) => ({ info: m[1] as string, lines: (m[2] as string).split('\n').slice(0, -1) }));
}

/**
 * Runs a script in bash in a process group of its own, which the servers it starts in the
 * background stay in; `group` is that group's id, for stopping whatever is left.
 */
async function runBash(script: string, input: string, group: { id?: number }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-e', '-c', script], { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  group.id = child.pid;
  child.stdin.end(input);
  const closed = new Promise<number | null>((resolvePromise) => child.on('close', resolvePromise));
  const [stdout, stderr, code] = await Promise.all([text(child.stdout), text(child.stderr), closed]);
  return { code, stdout, stderr };
}

describe('README: your own mesh on one machine', function () {
  this.timeout(60_000);

  it('works as written: three servers, the console, a subcommand, stopped again', async () => {
    const blocks = sectionBlocks();
    const shell = blocks.filter((b) => b.info === 'sh');
    const typed = blocks.flatMap((b) => b.lines).filter((l) => l.startsWith('alice> ')).map((l) => l.slice('alice> '.length));
    expect(shell).to.have.length.greaterThan(2);
    expect(typed).to.include('#DOWNLOAD numbers.txt');
    const work = await mkdtemp(join(tmpdir(), 'txtmesh-readme-'));
    const mesh = join(work, 'mymesh');
    let script = shell.map((b) => b.lines.join('\n')).join('\n').replaceAll('/tmp/mymesh', mesh);
    for (const port of ['50001', '50002', '50003']) script = script.replaceAll(port, String(await freePort()));
    const group: { id?: number } = {};
    try {
      const ran = await runBash(script, typed.map((c) => c + '\n').join(''), group);
      expect(ran.stderr).to.equal('');
      expect(ran.code).to.equal(0);
      expect(ran.stdout.match(/txtmesh-server: peer \w+ serving /g)).to.have.length(3);
      expect(ran.stdout).to.contain('3 of 3 peers online');
      expect(ran.stdout).to.match(/Downloaded numbers\.txt: 1988895 bytes in .*bytes per peer: bob \d+, carol \d+/);
      expect(ran.stdout).to.contain('bob: stored hello.txt').and.to.contain('carol: stored hello.txt');
      // Editing a file: replaced at bob and carol, the old version kept at bob, then restored there.
      expect(ran.stdout).to.match(/^bob: replaced hello\.txt \(23 bytes in .*; it keeps the old version 5656365a5871 in its versions area$/m);
      expect(ran.stdout).to.match(/^carol: replaced hello\.txt /m);
      expect(ran.stdout).to.match(/^bob: 2 versions of hello\.txt, newest kept first\n {2}7cd4b3626154 +23 B +current +changed .*\n {2}5656365a5871 +17 B +replaced +since /m);
      expect(ran.stdout).to.match(/^Restored hello\.txt to version 5656365a5871 \(17 bytes\); the version it replaced \(7cd4b3626154\) is kept\nHello from alice\n/m);
      const files = JSON.parse(ran.stdout.split('\n').find((l) => l.startsWith('{"command":"files"')) ?? 'null');
      expect(files.ok).to.equal(true);
      for (const name of ['hello.txt', 'numbers.txt']) {
        const entry = files.files.find((f: { name: string }) => f.name === name);
        expect(entry.versions, name).to.have.length(1);
        expect(entry.versions[0].peers, name).to.deep.equal(['alice', 'bob', 'carol']);
      }
      expect(existsSync(mesh), 'the last block removes the mesh').to.equal(false);
    } finally {
      // Servers a failed run left behind (a run that got to its end stopped them itself).
      if (group.id !== undefined) {
        try {
          process.kill(-group.id, 'SIGTERM');
        } catch {
          // nothing left in the group
        }
      }
      await rm(work, { recursive: true, force: true });
    }
  });
});
