/**
 * #LIMIT's words, in the console and the server console, on real buckets.
 */
import { expect } from 'chai';
import { formatLimit, limitCommand, limitResult, parseLimitArgs, renderLimits, serverLimitLines } from '../../src/cli/limit-command.js';
import { renderResult } from '../../src/cli/render.js';
import { RateLimit } from '../../src/transport/rate-limit.js';
import { expectCode } from '../helpers/expect-code.js';

const limits = () => ({ up: new RateLimit(0), down: new RateLimit(0) });

describe('cli/limit-command', () => {
  it('#LIMIT alone shows both limits; none is "none"', () => {
    const l = limits();
    const lines = renderResult(limitCommand(l, []));
    expect(lines).to.deep.equal([
      'Rate limits of this peer\'s console (1024-based; 0 or none: no limit):',
      '  down  none  downloads, all sources together',
      '  up    none  uploads (#UPLOAD), all peers together',
      'The server\'s own limit on what it sends is --max-upload-rate, or "limit up RATE" in its console.',
    ]);
  });

  it('#LIMIT down 500k up 2M sets both, says which were just set', () => {
    const l = limits();
    const result = limitCommand(l, ['down', '500k', 'UP', '2M']);
    expect(l.down.rate).to.equal(500 * 1024);
    expect(l.up.rate).to.equal(2 * 1024 * 1024);
    expect(result).to.include({ command: 'limit', up: 2 * 1024 * 1024, down: 500 * 1024 });
    expect(result.changed).to.deep.equal(['down', 'up']);
    const lines = renderLimits(result);
    expect(lines[1]).to.equal('  down  500 KiB/s  downloads, all sources together (just set)');
    expect(lines[2]).to.equal('  up    2.0 MiB/s  uploads (#UPLOAD), all peers together (just set)');
    limitCommand(l, ['down', 'off', 'up', 'none']);
    expect([l.down.rate, l.up.rate]).to.deep.equal([0, 0]);
  });

  it('says when a limit is holding a transfer back', () => {
    const l = limits();
    l.down.rate = 1000;
    l.down.spend(100_000);
    expect(limitResult(l).holding).to.deep.equal(['down']);
    expect(renderLimits(limitResult(l))[1]).to.match(/\(holding a transfer back now\)$/);
  });

  it('refuses a missing rate, an unknown direction and a bad rate (ERR_USAGE), changing nothing', () => {
    const l = limits();
    expectCode(() => limitCommand(l, ['down']), 'ERR_USAGE');
    expect(expectCode(() => limitCommand(l, ['sideways', '1M']), 'ERR_USAGE').message).to.contain('no direction sideways');
    expect(expectCode(() => limitCommand(l, ['down', '1M', 'up', 'fast']), 'ERR_USAGE').message).to.contain('#LIMIT up');
    expect([l.down.rate, l.up.rate]).to.deep.equal([0, 0]);
    expectCode(() => parseLimitArgs(['down', '1M'], ['up'], 'limit [up RATE]'), 'ERR_USAGE');
  });

  it('the server console\'s limit: up only', () => {
    const limit = new RateLimit(0);
    expect(serverLimitLines(limit, [])).to.deep.equal(['upload limit (all clients together): none']);
    expect(serverLimitLines(limit, ['up', '2M'])).to.deep.equal(['upload limit (all clients together): 2.0 MiB/s (just set)']);
    expect(limit.rate).to.equal(2 * 1024 * 1024);
    expectCode(() => serverLimitLines(limit, ['down', '1M']), 'ERR_USAGE');
    expect(formatLimit(0)).to.equal('none');
  });
});
