import { expect } from 'chai';
import { EAGER_PACE, MIN_GAIN_MS, MIN_GAIN_SHARE, type Pace, PieceScheduler } from '../../src/client/scheduler.js';

/** Calls next(peer) n times and returns the answers. */
function take(s: PieceScheduler, peer: string, n: number): (number | undefined)[] {
  return Array.from({ length: n }, () => s.next(peer));
}

describe('client/scheduler', () => {
  it('hands out pieces lowest first, never the same piece to two peers before the endgame', () => {
    const s = new PieceScheduler(6);
    expect(s.next('a')).to.equal(0);
    expect(s.next('b')).to.equal(1);
    expect(s.next('a')).to.equal(2);
    expect(take(s, 'c', 3)).to.deep.equal([3, 4, 5]);
  });

  it('skips done pieces and continues from the lowest missing one', () => {
    const s = new PieceScheduler(4);
    expect(take(s, 'a', 2)).to.deep.equal([0, 1]);
    expect(s.markDone(0, 'a')).to.equal(true);
    expect(s.next('b')).to.equal(2);
    expect(s.markDone(1, 'a')).to.equal(true);
    expect(s.next('a')).to.equal(3);
  });

  it('markDone returns true once and false for a duplicate delivery', () => {
    const s = new PieceScheduler(2);
    expect(s.next('a')).to.equal(0);
    expect(s.markDone(0, 'a')).to.equal(true);
    expect(s.markDone(0, 'a')).to.equal(false);
    expect(s.markDone(0, 'b')).to.equal(false);
    expect(s.doneCount).to.equal(1);
    expect(s.isDone(0)).to.equal(true);
    expect(s.isDone(1)).to.equal(false);
  });

  it('release puts a piece back, and it is handed out again even below the cursor', () => {
    const s = new PieceScheduler(5);
    expect(take(s, 'a', 3)).to.deep.equal([0, 1, 2]);
    s.release(1, 'a');
    expect(s.next('b')).to.equal(1);
    expect(s.next('b')).to.equal(3);
    s.release(0, 'a');
    expect(s.next('c')).to.equal(0);
    expect(s.next('c')).to.equal(4);
  });

  it('release by a peer that does not hold the piece changes nothing', () => {
    const s = new PieceScheduler(2);
    expect(s.next('a')).to.equal(0);
    s.release(0, 'b');
    s.release(1, 'a');
    expect(s.next('b')).to.equal(1); // 0 is still a's, so b does not get it
    expect(s.next('a')).to.equal(undefined); // a still counts as busy with 0
    expect(s.markDone(0, 'a')).to.equal(true);
    expect(s.next('a')).to.equal(1); // now idle: duplicates b's piece
  });

  it('ban releases all of a peer\'s pieces and the banned peer gets nothing more', () => {
    const s = new PieceScheduler(4);
    expect(take(s, 'a', 2)).to.deep.equal([0, 1]);
    expect(s.next('b')).to.equal(2);
    s.ban('a');
    expect(s.next('a')).to.equal(undefined);
    expect(take(s, 'b', 3)).to.deep.equal([0, 1, 3]);
    expect(s.next('a')).to.equal(undefined);
  });

  it('ban keeps a piece in flight when another peer is also fetching it', () => {
    const s = new PieceScheduler(1);
    expect(s.next('a')).to.equal(0);
    expect(s.next('b')).to.equal(0); // endgame duplicate
    s.ban('a');
    // b still fetches 0 and already has it; nobody else may fetch it twice from b
    expect(s.next('b')).to.equal(undefined);
    expect(s.next('c')).to.equal(0);
  });

  describe('endgame', () => {
    it('gives an idle peer a duplicate of an in-flight piece: the one its source will deliver last', () => {
      const s = new PieceScheduler(3);
      expect(take(s, 'a', 3)).to.deep.equal([0, 1, 2]);
      expect(s.next('b')).to.equal(2);
    });

    it('gives a peer that still fetches something no duplicate', () => {
      const s = new PieceScheduler(3);
      expect(take(s, 'a', 2)).to.deep.equal([0, 1]);
      expect(s.next('b')).to.equal(2);
      expect(s.next('b')).to.equal(undefined); // b is busy with 2
      expect(s.next('a')).to.equal(undefined); // a is busy with 0 and 1
      expect(s.markDone(2, 'b')).to.equal(true);
      expect(s.next('b')).to.equal(1); // idle now: a's last-queued piece
      expect(s.next('b')).to.equal(undefined); // busy again
    });

    it('lets a peer that lost an endgame race duplicate again', () => {
      const s = new PieceScheduler(3);
      expect([s.next('a'), s.next('b'), s.next('c')]).to.deep.equal([0, 1, 2]);
      expect(s.markDone(0, 'a')).to.equal(true);
      expect(s.next('a')).to.equal(1); // a duplicates b's piece
      expect(s.markDone(1, 'b')).to.equal(true); // b wins
      expect(s.markDone(1, 'a')).to.equal(false); // a's copy arrives late
      expect(s.next('a')).to.equal(2); // a is idle and helps c
    });

    it('frees the loser of a race at once, before its late copy arrives', () => {
      const s = new PieceScheduler(3);
      expect([s.next('a'), s.next('b'), s.next('c')]).to.deep.equal([0, 1, 2]);
      s.markDone(0, 'a');
      expect(s.next('a')).to.equal(1);
      s.markDone(1, 'b');
      s.release(1, 'a'); // a's request failed after b won: nothing left to release
      expect(s.next('a')).to.equal(2);
    });

    it('counts a released piece as no longer fetched by that peer', () => {
      const s = new PieceScheduler(2);
      expect(take(s, 'a', 2)).to.deep.equal([0, 1]);
      s.release(0, 'a');
      expect(s.next('c')).to.equal(0);
      expect(s.next('a')).to.equal(undefined); // still busy with 1
      s.release(1, 'a');
      expect(s.next('a')).to.equal(1); // back in the pool, handed out normally
      expect(s.markDone(1, 'a')).to.equal(true);
      expect(s.next('a')).to.equal(0); // idle: duplicates c's piece
    });

    it('never gives a peer a piece it already fetches', () => {
      const s = new PieceScheduler(2);
      expect(take(s, 'a', 2)).to.deep.equal([0, 1]);
      expect(s.next('a')).to.equal(undefined);
      const one = new PieceScheduler(1, { maxDuplicates: 5 });
      expect(one.next('a')).to.equal(0);
      expect(one.next('a')).to.equal(undefined);
    });

    it('prefers the piece with the fewest fetchers', () => {
      const s = new PieceScheduler(2, { maxDuplicates: 3 });
      expect(s.next('a')).to.equal(0);
      expect(s.next('b')).to.equal(1);
      expect(s.next('c')).to.equal(0); // both have 1 fetcher: lowest first
      expect(s.next('d')).to.equal(1); // 1 has one fetcher, 0 has two
    });

    it('caps fetchers of one piece at maxDuplicates (default 2)', () => {
      const s = new PieceScheduler(1);
      expect(s.next('a')).to.equal(0);
      expect(s.next('b')).to.equal(0);
      expect(s.next('c')).to.equal(undefined);
    });

    it('caps fetchers at a custom maxDuplicates', () => {
      const s = new PieceScheduler(1, { maxDuplicates: 3 });
      expect(['a', 'b', 'c', 'd'].map((p) => s.next(p))).to.deep.equal([0, 0, 0, undefined]);
      const one = new PieceScheduler(1, { maxDuplicates: 1 });
      expect(['a', 'b'].map((p) => one.next(p))).to.deep.equal([0, undefined]);
    });

    it('the first copy wins; the slower copy is a duplicate', () => {
      const s = new PieceScheduler(1);
      expect(s.next('a')).to.equal(0);
      expect(s.next('b')).to.equal(0);
      expect(s.markDone(0, 'b')).to.equal(true);
      expect(s.markDone(0, 'a')).to.equal(false);
      expect(s.complete).to.equal(true);
      expect(s.next('a')).to.equal(undefined);
      expect(s.next('c')).to.equal(undefined);
    });

    it('a released duplicate slot can be taken by another peer', () => {
      const s = new PieceScheduler(1);
      expect(s.next('a')).to.equal(0);
      expect(s.next('b')).to.equal(0);
      expect(s.next('c')).to.equal(undefined);
      s.release(0, 'b');
      expect(s.next('c')).to.equal(0);
    });
  });

  describe('endgame with a pace (what the swarm measured)', () => {
    /** A pace from fixed figures: ms until each source's queue is through, ms per piece. */
    function pace(remaining: Record<string, number>, perPiece: Record<string, number>): Pace {
      return { remainingMs: (p) => remaining[p] ?? 0, pieceMs: (p) => perPiece[p] };
    }

    it('never duplicates before the idle peer has delivered a piece (it has no pace yet)', () => {
      const s = new PieceScheduler(4, { pace: pace({ a: Infinity }, {}) });
      expect(take(s, 'a', 4)).to.deep.equal([0, 1, 2, 3]);
      expect(s.next('b')).to.equal(undefined);
    });

    it('does not duplicate a request that is on time: the gain must be at least MIN_GAIN_MS', () => {
      const figures = { remaining: { a: 40 }, perPiece: { a: 2, b: 2 } };
      const s = new PieceScheduler(4, { pace: pace(figures.remaining, figures.perPiece) });
      expect(take(s, 'a', 4)).to.deep.equal([0, 1, 2, 3]);
      expect(s.next('b')).to.equal(undefined);
      figures.remaining.a = MIN_GAIN_MS + 2; // 2 ms for b, MIN_GAIN_MS + 2 ms for a: exactly the least gain
      expect(s.next('b')).to.equal(undefined);
      figures.remaining.a = MIN_GAIN_MS + 3; // a fell behind its rate
      expect(s.next('b')).to.equal(3);
    });

    it('does not duplicate unless it saves MIN_GAIN_SHARE times the idle peer\'s own time for the piece', () => {
      // Sources sending a piece in ~600 ms each (a crowd's shared uplinks): 250 ms late is noise.
      const figures = { remaining: { a: 850 }, perPiece: { a: 600, b: 600 } };
      const s = new PieceScheduler(2, { pace: pace(figures.remaining, figures.perPiece) });
      expect(take(s, 'a', 2)).to.deep.equal([0, 1]);
      expect(s.next('b')).to.equal(undefined);
      figures.remaining.a = 600 + 600 * MIN_GAIN_SHARE + 1; // now it saves more than MIN_GAIN_SHARE times b's 600 ms
      expect(s.next('b')).to.equal(1);
    });

    it('takes the slowest source\'s last-queued piece', () => {
      const s = new PieceScheduler(9, { pace: pace({ a: 300, b: 900, c: 120 }, { a: 5, b: 40, c: 5, d: 5 }) });
      expect(take(s, 'a', 3)).to.deep.equal([0, 1, 2]);
      expect(take(s, 'b', 3)).to.deep.equal([3, 4, 5]);
      expect(take(s, 'c', 3)).to.deep.equal([6, 7, 8]);
      expect(s.next('d')).to.equal(5); // b is slowest; 5 is its last request
    });

    it('skips a piece whose quicker fetcher will bring it in time', () => {
      const s = new PieceScheduler(1, { pace: pace({ a: 1000, c: 20 }, { c: 5, d: 5 }), maxDuplicates: 3 });
      expect(s.next('a')).to.equal(0);
      expect(s.next('c')).to.equal(0); // a is late: c duplicates
      expect(s.next('d')).to.equal(undefined); // c's copy is due in 20 ms: no gain in a third
    });
  });

  it('complete and doneCount follow markDone', () => {
    const s = new PieceScheduler(3);
    expect(s.complete).to.equal(false);
    expect(s.doneCount).to.equal(0);
    for (const p of take(s, 'a', 3)) expect(s.markDone(p as number, 'a')).to.equal(true);
    expect(s.doneCount).to.equal(3);
    expect(s.complete).to.equal(true);
    expect(s.next('a')).to.equal(undefined);
    expect(s.next('b')).to.equal(undefined);
  });

  it('openCount: pieces neither done nor being fetched, duplicates and releases counted once', () => {
    const s = new PieceScheduler(4, { pace: EAGER_PACE });
    expect(s.openCount).to.equal(4);
    expect(take(s, 'a', 2)).to.deep.equal([0, 1]);
    expect(s.openCount).to.equal(2);
    expect(take(s, 'b', 2)).to.deep.equal([2, 3]);
    expect(s.next('c')).to.equal(1); // an endgame duplicate
    expect(s.openCount).to.equal(0);
    s.release(0, 'a');
    expect(s.openCount).to.equal(1);
    expect(s.markDone(1, 'c')).to.equal(true); // the duplicate won: a's copy is let go
    expect(s.openCount).to.equal(1);
  });

  it('zero pieces is complete at once', () => {
    const s = new PieceScheduler(0);
    expect(s.pieceCount).to.equal(0);
    expect(s.complete).to.equal(true);
    expect(s.doneCount).to.equal(0);
    expect(s.next('a')).to.equal(undefined);
  });

  it('simulates a download: every piece done exactly once, lowest first', () => {
    const s = new PieceScheduler(20);
    const order: number[] = [];
    const peers = ['a', 'b', 'c'];
    let round = 0;
    while (!s.complete) {
      const peer = peers[round++ % peers.length] as string;
      const piece = s.next(peer);
      if (piece === undefined) continue;
      if (s.markDone(piece, peer)) order.push(piece);
      expect(round).to.be.lessThan(1000);
    }
    expect(order).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
  });

  describe('holders and rarest first', () => {
    const flags = (n: number, held: number[]) => {
      const f = new Uint8Array(n);
      for (const p of held) f[p] = 1;
      return f;
    };

    it('gives a partial holder only the pieces it holds, and more as it gets them', () => {
      const s = new PieceScheduler(4);
      s.setHolding('a', flags(4, [2]));
      expect(s.next('a')).to.equal(2);
      expect(s.next('a')).to.equal(undefined);
      s.addHolding('a', 0);
      expect(s.next('a')).to.equal(0);
      expect(s.holds('a', 1)).to.equal(false);
      expect(s.holds('b', 1)).to.equal(true); // never told: a full holder
    });

    it('takes the piece the fewest peers hold first', () => {
      const s = new PieceScheduler(4);
      s.setHolding('seed', 'all');
      s.setHolding('x', flags(4, [0, 1, 2]));
      s.setHolding('y', flags(4, [0, 1]));
      expect([0, 1, 2, 3].map((p) => s.availability(p))).to.deep.equal([3, 3, 2, 1]);
      expect(s.next('seed')).to.equal(3); // only the seed has 3
      expect(s.next('seed')).to.equal(2);
      expect(s.next('x')).to.equal(0);
    });

    it('keeps a run of consecutive pieces within what the peer holds', () => {
      const s = new PieceScheduler(8);
      s.setHolding('a', flags(8, [3, 4, 5, 7]));
      expect(s.nextRun('a', 4)).to.deep.equal({ first: 3, count: 3 });
    });

    it('forgets what a banned peer held', () => {
      const s = new PieceScheduler(2);
      s.setHolding('a', flags(2, [0]));
      s.setHolding('b', 'all');
      expect(s.availability(0)).to.equal(2);
      s.ban('a');
      expect(s.availability(0)).to.equal(1);
      s.addHolding('a', 1);
      expect(s.availability(1)).to.equal(1);
    });

    it('duplicates in the endgame only pieces the idle peer holds', () => {
      const s = new PieceScheduler(2);
      s.setHolding('b', flags(2, [1]));
      expect(s.next('a')).to.equal(0);
      expect(s.next('a')).to.equal(1);
      expect(s.next('b')).to.equal(1);
      expect(s.next('c')).to.equal(0);
    });
  });

  describe('visiting order', () => {
    it('starts at the given piece and wraps round, and release goes back in that order', () => {
      const s = new PieceScheduler(5, { start: 3 });
      expect(take(s, 'a', 5)).to.deep.equal([3, 4, 0, 1, 2]);
      s.release(4, 'a');
      expect(s.next('b')).to.equal(4);
    });

    it('does not run past the end of the file in one request', () => {
      const s = new PieceScheduler(5, { start: 4 });
      expect(s.nextRun('a', 4)).to.deep.equal({ first: 4, count: 1 });
      expect(s.nextRun('a', 4)).to.deep.equal({ first: 0, count: 4 });
    });

    it('spreads downloaders that start at different pieces: their first requests differ', () => {
      const firsts = [0, 16, 32, 48].map((start) => new PieceScheduler(64, { start }).nextRun('seed', 4)?.first);
      expect(new Set(firsts).size).to.equal(4);
    });

    it('still fetches every piece exactly once from any start', () => {
      for (const start of [0, 1, 7, 19]) {
        const s = new PieceScheduler(20, { start });
        const got = new Set<number>();
        for (let round = 0; !s.complete && round < 1000; round++) {
          const piece = s.next(['a', 'b'][round % 2] as string);
          if (piece !== undefined && s.markDone(piece, 'a')) got.add(piece);
        }
        expect(got.size, `start ${start}`).to.equal(20);
      }
    });
  });
});
