/**
 * client/swarm-source: how much a source is asked for at once, from its observed rate
 * (scripted arrival times, no sockets).
 */
import { expect } from 'chai';
import { SourcePace } from '../../src/client/source-pace.js';
import { MAX_RUN_PIECES, QUEUE_MS, type SourceState, newSource, queueBudget, runLengthOf } from '../../src/client/swarm-source.js';
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
