/** server/answer-memory: which pool a GET reads with, and which answers go when over budget. */
import { expect } from 'chai';
import { AnswerMemory, SMALL_CHUNK } from '../../src/server/answer-memory.js';
import { SEND_CHUNK } from '../../src/server/handlers.js';

describe('server/answer-memory', () => {
  const memory = new AnswerMemory(8 * SEND_CHUNK, 256);

  it('reads in SEND_CHUNKs while the budget holds one for every busy connection, in small chunks beyond', () => {
    expect(memory.poolFor(0).size).to.equal(SEND_CHUNK);
    expect(memory.poolFor(8).size).to.equal(SEND_CHUNK);
    expect(memory.poolFor(9).size).to.equal(SMALL_CHUNK);
    expect(memory.poolFor(8)).to.equal(memory.pool);
  });

  it('cuts off nothing within the budget', () => {
    expect(memory.overBudget([{ item: 'a', held: 4 * SEND_CHUNK, taken: 0 }, { item: 'b', held: 4 * SEND_CHUNK, taken: 0 }])).to.deep.equal([]);
  });

  it('over the budget, cuts off the answers whose clients took least, until the rest fit', () => {
    const holdings = [
      { item: 'fast', held: 4 * SEND_CHUNK, taken: 10_000_000 },
      { item: 'stalled', held: 3 * SEND_CHUNK, taken: 0 },
      { item: 'trickle', held: 3 * SEND_CHUNK, taken: 8000 },
      { item: 'slowish', held: 2 * SEND_CHUNK, taken: 500_000 },
    ];
    // 12 chunks held, 8 allowed: the stalled one (3) is not enough, the trickle (3 more) is.
    expect(memory.overBudget(holdings)).to.deep.equal(['stalled', 'trickle']);
  });
});
