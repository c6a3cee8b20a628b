import { expect } from 'chai';
import { appendFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { BACKLOG_BYTES, LogTail, type TailStatus } from '../../src/web/log-tail.js';

describe('web/log-tail (the server log, followed)', () => {
  let dir: string;
  let path: string;
  let lines: string[];
  let statuses: TailStatus[];
  let tail: LogTail;
  beforeEach(async () => {
    dir = await tempDir();
    path = join(dir, 'server.log');
    lines = [];
    statuses = [];
    tail = new LogTail(path, (l) => lines.push(l), (s) => statuses.push(s));
  });
  afterEach(async () => {
    tail.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('waits for a missing file, then reads it from the start', async () => {
    await tail.poll();
    expect(tail.status.found).to.equal(false);
    await writeFile(path, 'one\ntwo\n');
    await tail.poll();
    expect(lines).to.deep.equal(['one', 'two']);
    expect(statuses).to.deep.equal([{ path, found: true }]);
  });

  it('hands on only complete lines, and the rest once its line ends', async () => {
    await writeFile(path, 'first\nsec');
    await tail.poll();
    expect(lines).to.deep.equal(['first']);
    await appendFile(path, 'ond\r\nthird\n');
    await tail.poll();
    expect(lines).to.deep.equal(['first', 'second', 'third']);
  });

  it('starts a long file near its end, without the cut first line', async () => {
    const old = Array.from({ length: 5000 }, (_, i) => `old line ${i} ${'x'.repeat(40)}`).join('\n') + '\n';
    expect(old.length).to.be.greaterThan(BACKLOG_BYTES);
    await writeFile(path, old + 'newest\n');
    await tail.poll();
    expect(lines.at(-1)).to.equal('newest');
    expect(lines[0]).to.match(/^old line \d+ x{40}$/);
    expect(lines.length).to.be.lessThan(5000);
  });

  it('reads a file that shrank (rotated or truncated) again from its start', async () => {
    await writeFile(path, 'a long first life of the log\n');
    await tail.poll();
    await writeFile(path, 'new\n');
    await tail.poll();
    expect(lines).to.deep.equal(['a long first life of the log', 'new']);
  });

  it('says when the file goes away', async () => {
    await writeFile(path, 'x\n');
    await tail.poll();
    await rm(path);
    await tail.poll();
    expect(statuses.map((s) => s.found)).to.deep.equal([true, false]);
  });
});
