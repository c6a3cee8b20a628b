/**
 * cli/progress: the progress line's speed is the speed now (a two-second window of new bytes),
 * not the average since the start, and resumed bytes are not speed.
 */
import { expect } from 'chai';
import { ProgressLine } from '../../src/cli/progress.js';

const MB = 1_000_000;

describe('cli/progress', () => {
  it('after a resume, the speed and time left come from the new bytes only', () => {
    const line = new ProgressLine();
    line.update('a.txt', { size: 20 * MB, received: 17 * MB, activePeers: 2 }, 0); // 17 MB resumed
    for (let t = 100; t <= 2000; t += 100) line.update('a.txt', { size: 20 * MB, received: 17 * MB + (t / 1000) * 0.5 * MB, activePeers: 2 }, t);
    // 1 MB of 3 MB new in 2 s: 0.5 MB/s, and 2 MB left: 4 s.
    expect(line.line()).to.equal(' 90.0%  17.2 MiB/19.1 MiB  500 kB/s  ETA 4.00 s  2 peers');
  });

  it('says how many of the peers serving are still downloading the file themselves', () => {
    const line = new ProgressLine();
    line.update('a.txt', { size: 4 * MB, received: MB, activePeers: 5, partialPeers: 4 }, 0);
    expect(line.line()).to.match(/  5 peers \(4 partial\)$/);
    line.update('a.txt', { size: 4 * MB, received: 2 * MB, activePeers: 5, partialPeers: 0 }, 100);
    expect(line.line()).to.match(/  5 peers$/);
  });

  it('the speed is the last two seconds\', not the average since the start', () => {
    const line = new ProgressLine();
    line.update('a.txt', { size: 100 * MB, received: 0, activePeers: 1 }, 0);
    line.update('a.txt', { size: 100 * MB, received: 40 * MB, activePeers: 1 }, 1000); // fast at first
    for (let t = 2000; t <= 6000; t += 500) line.update('a.txt', { size: 100 * MB, received: 40 * MB + ((t - 1000) / 1000) * MB, activePeers: 1 }, t);
    expect(line.line()).to.match(/ 1\.00 MB\/s /);
  });

  it('several files: how many are done, and the total of all', () => {
    const line = new ProgressLine(3);
    line.update('a.txt', { size: 1000, received: 0 }, 0);
    line.update('b.txt', { size: 3000, received: 0 }, 0);
    line.update('a.txt', { size: 1000, received: 1000 }, 500);
    line.finish('a.txt');
    line.finish('c.txt'); // failed before it had a size
    expect(line.line()).to.match(/^2 of 3 files {2} 25\.0% {2}1000 B\/3\.9 KiB {2}[\d.]+ [kM]?B\/s {2}ETA /);
  });

  it('a zero-byte file is 100%, and a line before any speed shows no time left', () => {
    const line = new ProgressLine();
    line.update('e.txt', { size: 0, received: 0, activePeers: 1 }, 0);
    expect(line.line()).to.equal('100.0%  0 B/0 B  0 B/s  ETA --  1 peer');
  });
});
