/** The expectCode helper must fail whenever the failure is not the one expected. */
import { AssertionError, expect } from 'chai';
import { ProtocolError, TxtmeshError } from '../../src/errors.js';
import { expectCode } from './expect-code.js';

const usage = () => new TxtmeshError('ERR_USAGE', 'bad usage');
const throwing = (err: unknown) => () => {
  throw err;
};

/** Runs a check that must itself fail, and returns its assertion message. */
async function mustFail(check: () => unknown): Promise<string> {
  try {
    await check();
  } catch (err) {
    expect(err).to.be.instanceOf(AssertionError);
    return (err as Error).message;
  }
  expect.fail('the check passed');
}

describe('test/helpers/expect-code', () => {
  it('returns the error a function throws or a promise rejects with, when the code matches', async () => {
    const thrown = usage();
    expect(expectCode(throwing(thrown), 'ERR_USAGE')).to.equal(thrown);
    expect(await expectCode(Promise.reject(thrown), 'ERR_USAGE')).to.equal(thrown);
    const framing = new ProtocolError('ERR_BAD_FRAME', 'x');
    expect(expectCode(throwing(framing), 'ERR_BAD_FRAME', ProtocolError)).to.equal(framing);
  });

  it('fails on another code, another class, or no failure at all', async () => {
    expect(await mustFail(() => expectCode(Promise.reject(usage()), 'ERR_NOT_FOUND'))).to.contain('ERR_NOT_FOUND');
    expect(await mustFail(() => expectCode(throwing(usage()), 'ERR_NOT_FOUND'))).to.contain('ERR_NOT_FOUND');
    expect(await mustFail(() => expectCode(throwing(usage()), 'ERR_USAGE', ProtocolError))).to.contain('ProtocolError');
    expect(await mustFail(() => expectCode(throwing(new Error('plain')), 'ERR_USAGE'))).to.contain('TxtmeshError');
    expect(await mustFail(() => expectCode(() => 1, 'ERR_USAGE'))).to.contain('returned');
    expect(await mustFail(() => expectCode(Promise.resolve(1), 'ERR_USAGE'))).to.contain('resolved');
  });

  it('refuses a function that returns a promise (its rejection would go unchecked)', async () => {
    const pending = Promise.reject(usage());
    pending.catch(() => undefined);
    expect(await mustFail(() => expectCode(() => pending, 'ERR_USAGE'))).to.contain('pass the promise itself');
  });
});
