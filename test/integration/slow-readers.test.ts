/**
 * Issue 12, item 1: a crowd of slow readers must not lock a real peer out. A txtmesh-server in
 * its own process (its memory is its own) gets about 260 connections that each ask for two
 * 8 MiB ranges and then read nothing, or about 8 KB/s, and keep coming back as they are cut
 * off; meanwhile a member of the mesh keeps asking HELLO, LIST, INFO and a piece, retrying a
 * busy answer as the client does. Every member round must complete, quickly, and the server's
 * memory must stay bounded. (scripts/slow-reader-attack.mjs runs the same attack with figures.)
 */
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { fileInfo, getRange, hello, listFiles } from '../../src/client/peer-client.js';
import { withRetry } from '../../src/client/retry.js';
import { PIECE_SIZE } from '../../src/constants.js';
import type { PeerAddress } from '../../src/settings.js';
import { freePort, tempDir } from '../helpers.js';
import { serverJs, waitForOutput } from './cli-helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** Connections that ask for 16 MiB and take nothing (or a trickle), replaced as they are cut off. */
class Crowd {
  readonly #sockets = new Set<Socket>();
  readonly #timers: NodeJS.Timeout[] = [];
  #on = true;

  constructor(port: number, from: string, size: number, trickle: boolean) {
    const open = () => {
      if (!this.#on) return;
      const s = connect({ host: '127.0.0.1', port, localAddress: from });
      s.on('error', () => undefined);
      s.once('connect', () => s.write('GET 1 0 big.txt 0 8388608\nGET 2 0 big.txt 0 8388608\n'));
      s.once('close', () => this.#sockets.delete(s));
      s.pause();
      this.#sockets.add(s);
    };
    for (let i = 0; i < size; i++) open();
    // A paused socket may never see the server's FIN: the crowd also keeps arriving, 20 a second.
    this.#timers.push(setInterval(() => Array.from({ length: 4 }, open), 200));
    // About 8 KB/s each.
    if (trickle) this.#timers.push(setInterval(() => this.#sockets.forEach((s) => s.read(Math.min(820, s.readableLength) || undefined)), 100));
  }

  stop(): void {
    this.#on = false;
    this.#timers.forEach(clearInterval);
    for (const s of this.#sockets) s.destroy();
  }
}

describe('slow readers cannot lock a peer out (a server process under attack)', function () {
  this.timeout(60_000);
  let root: string;
  let child: ChildProcess;
  let server: PeerAddress;
  const member = { id: 'p2' };

  beforeEach(async () => {
    root = await tempDir();
    const port = await freePort();
    server = { id: 'p1', host: '127.0.0.1', port, line: 1 };
    await mkdir(join(root, 'p1', 'served_files'), { recursive: true });
    await writeFile(join(root, 'p1', 'served_files', 'big.txt'), Buffer.alloc(16 * 1024 * 1024, 'b'));
    await writeFile(join(root, 'peer_settings.txt'), `p1 127.0.0.1 ${port}\np2 127.0.0.1 ${port + 1}\n`);
    child = spawn(process.execPath, [serverJs, '--quiet'], { cwd: join(root, 'p1'), stdio: ['ignore', 'pipe', 'inherit'] });
    await waitForOutput(child, /serving/);
  });

  afterEach(async () => {
    child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  /** One round of a member, retrying a busy server as the client does: ms it took. */
  async function memberRound(): Promise<number> {
    const started = performance.now();
    const { conn } = await withRetry(server, async (c) => {
      await hello(c, member.id);
      await listFiles(c);
      const info = await fileInfo(c, 'big.txt');
      await getRange(c, 'big.txt', 0, PIECE_SIZE, info.identity);
    }, { as: member, policy: { attempts: 5, baseDelayMs: 100, maxDelayMs: 400 } });
    conn.close();
    return performance.now() - started;
  }

  async function underAttack(from: string, trickle: boolean): Promise<{ rounds: number[]; peakMiB: number }> {
    for (let i = 0; i < 3; i++) await memberRound(); // file hashed, server warm
    const crowd = new Crowd(server.port, from, 260, trickle);
    let peakMiB = 0;
    const sampler = setInterval(() => void rssMiB(child.pid as number).then((m) => (peakMiB = Math.max(peakMiB, m)), () => undefined), 100);
    const rounds: number[] = [];
    try {
      await sleep(2000); // the crowd is in and has filled the kernel's buffers
      const until = performance.now() + 4000;
      while (performance.now() < until) {
        rounds.push(await memberRound());
        await sleep(50);
      }
    } finally {
      clearInterval(sampler);
      crowd.stop();
    }
    return { rounds, peakMiB };
  }

  function p90(samples: number[]): number {
    return [...samples].sort((a, b) => a - b)[Math.floor(0.9 * samples.length)] as number;
  }

  it('anonymous connections from a peer\'s own address, reading nothing: members are served, memory stays bounded', async function () {
    const { rounds, peakMiB } = await underAttack('127.0.0.1', false);
    expect(rounds.length).to.be.at.least(10);
    expect(p90(rounds)).to.be.below(1500);
    // Unguarded, each stalled answer held a 1 MiB chunk: 330-370 MB in all.
    expect(peakMiB).to.be.below(220);
  });

  it('connections from an address outside the mesh, reading 8 KB/s: members are served, memory stays bounded', async function () {
    const { rounds, peakMiB } = await underAttack('127.0.0.2', true);
    expect(rounds.length).to.be.at.least(10);
    expect(p90(rounds)).to.be.below(1500);
    expect(peakMiB).to.be.below(220);
  });
});
