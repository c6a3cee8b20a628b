/**
 * A console download interrupted by Ctrl-C (SIGINT) or kill -9: nothing under the real name,
 * verified pieces kept, and the same #DOWNLOAD run again resumes and finishes byte for byte.
 */
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PIECE_SIZE } from '../../src/constants.js';
import { type Mesh, makeText, startMesh, throttledProxy, waitFor } from '../helpers.js';
import { clientJs } from './cli-helpers.js';

function startClient(cwd: string, input: string): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [clientJs], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  child.stdin?.end(input);
  const exit = new Promise<number | null>((r) => child.on('close', (code, signal) => r(code ?? (signal ? -1 : null))));
  return { child, output: () => output, exit };
}

function waitForPart(dir: string): Promise<void> {
  return waitFor(async () => (await readdir(dir)).some((n) => n.endsWith('.txtmesh-part')), 10_000, 'a part file');
}

describe('interrupted console downloads', function () {
  this.timeout(60_000);
  let mesh: Mesh;
  let proxy: { port: number; close: () => Promise<void> };
  const text = makeText(40 * PIECE_SIZE);

  beforeEach(async function () {
    mesh = await startMesh({ p1: { files: { 'big.txt': text } } }, ['p5']);
    proxy = await throttledProxy(mesh.address('p1'), 4 * 1024 * 1024); // ~2.5 s for the file
    // The settings name p1 at the slow proxy.
    await writeFile(join(mesh.root, 'peer_settings.txt'), `p1 127.0.0.1 ${proxy.port}\np5 127.0.0.1 ${mesh.address('p5').port}\n`);
  });
  afterEach(async () => {
    await proxy.close();
    await mesh.stop();
  });

  for (const [how, signal] of [['Ctrl-C (SIGINT)', 'SIGINT'], ['kill -9', 'SIGKILL']] as const) {
    it(`keeps verified pieces after ${how} and resumes on the next #DOWNLOAD`, async function () {
      const cwd = join(mesh.root, 'p5');
      const dir = join(cwd, 'served_files');
      const first = startClient(cwd, '#DOWNLOAD big.txt p1\n');
      await waitForPart(dir);
      await new Promise((r) => setTimeout(r, 600)); // let some pieces arrive
      first.child.kill(signal);
      const code = await first.exit;
      const names = await readdir(dir);
      expect(names).to.not.include('big.txt');
      expect(names.filter((n) => n.endsWith('.txtmesh-part'))).to.have.length(1);
      if (signal === 'SIGINT') {
        expect(code).to.equal(130);
        expect(first.output()).to.match(/interrupted; \d+ of 40 pieces are verified and kept, so the same #DOWNLOAD resumes from them/);
      }
      const second = startClient(cwd, '#DOWNLOAD big.txt p1\n');
      expect(await second.exit, second.output()).to.equal(0);
      expect(second.output()).to.match(/Resuming big\.txt: \d+ of 40 pieces/);
      expect(second.output()).to.match(/Downloaded big\.txt: \d+ bytes \(\d+ resumed\)/);
      expect((await readFile(join(dir, 'big.txt'))).equals(text)).to.equal(true);
      expect(await readdir(dir)).to.deep.equal(['big.txt']);
    });
  }
});
