/**
 * client/swarm-source: how much a source is asked for at once, from its observed rate
 * (scripted arrival times, no sockets).
 */
import { expect } from 'chai';
import { SourcePace } from '../../src/client/source-pace.js';
import { MAX_RUN_PIECES, QUEUE_MS, type SourceState, leaveToOthers, newSource, queueBudget, runLengthOf } from '../../src/client/swarm-source.js';
import { PIECE_SIZE } from '../../src/constants.js';

/** A source that delivered `bytesPerMs` for two seconds. */
function sourceAt(bytesPerMs: number): SourceState {
  const pace = new SourcePace();
  pace.asked(0, 0);
  for (let t = 100; t <= 2000; t += 100) pace.arrived(bytesPerMs * 100, t);
  return { ...newSource({ id: 'p', host: '127.0.0.1', port: 1, line: 1 }, undefined, false), pace };
}

describe('client/swarm-source', () => {
  it('queues two pieces on a source whose rate is not known yet', () => {
    expect(queueBudget({ ...sourceAt(0), pace: new SourcePace() }, PIECE_SIZE)).to.equal(2 * PIECE_SIZE);
  });

  it('queues what a source sends in QUEUE_MS, at least a piece: a small share of a crowded uplink gets a short queue', () => {
    // 300 kB/s (1/16 of a 40 mbit uplink): one piece.
    expect(queueBudget(sourceAt(300), PIECE_SIZE)).to.equal(PIECE_SIZE);
    // 10 MB/s: 5 MB, enough for four 1 MiB runs.
    expect(queueBudget(sourceAt(10_000), PIECE_SIZE)).to.be.closeTo(10_000 * QUEUE_MS, 1);
  });

  it('asks a slow source for one piece per request, a fast one for up to MAX_RUN_PIECES', () => {
    expect(runLengthOf(sourceAt(300), PIECE_SIZE)).to.equal(1);
    expect(runLengthOf(sourceAt(1_000_000), PIECE_SIZE)).to.equal(MAX_RUN_PIECES);
  });
});

describe('client/swarm-source leaveToOthers', () => {
  const live = (bytesPerMs: number, queuedPieces: number): SourceState => {
    const source = { ...sourceAt(bytesPerMs), conn: {} as SourceState['conn'] };
    source.pace.asked(queuedPieces * PIECE_SIZE, 2000);
    return source;
  };

  it('lets a slow source take pieces while much is left, and leaves the last ones to faster sources', () => {
    const [fast, mid, slow] = [live(9400, 2), live(4700, 2), live(2350, 4)];
    const all = [fast, mid, slow];
    // 40 MB open: everyone is needed.
    expect(leaveToOthers(slow, all, 40e6, PIECE_SIZE)).to.equal(false);
    // 1 MB open: the slow source, 4 pieces queued, would deliver a fifth in ~0.56 s; the others are through it all in ~0.1 s.
    expect(leaveToOthers(slow, all, 1e6, PIECE_SIZE)).to.equal(true);
    expect(leaveToOthers(fast, all, 1e6, PIECE_SIZE)).to.equal(false);
  });

  it('never holds back every source: the one that would deliver soonest takes the last piece', () => {
    const same = [live(1000, 0), live(1000, 0), live(1000, 0)];
    expect(same.map((s) => leaveToOthers(s, same, PIECE_SIZE, PIECE_SIZE))).to.deep.equal([false, false, false]);
    const sources = [live(9400, 3), live(2350, 0)];
    const held = sources.filter((s) => leaveToOthers(s, sources, PIECE_SIZE, PIECE_SIZE));
    expect(held.length).to.be.lessThan(sources.length);
  });

  it('holds nothing back with a partial holder among the sources, or before the rates are known', () => {
    const [fast, slow] = [live(9400, 0), live(100, 4)];
    expect(leaveToOthers(slow, [fast, { ...slow, partial: true }], PIECE_SIZE, PIECE_SIZE)).to.equal(false);
    const fresh = { ...slow, pace: new SourcePace() };
    expect(leaveToOthers(fresh, [fast, fresh], PIECE_SIZE, PIECE_SIZE)).to.equal(false);
    expect(leaveToOthers(slow, [slow, { ...fast, pace: new SourcePace() }], PIECE_SIZE, PIECE_SIZE)).to.equal(false);
  });
});
