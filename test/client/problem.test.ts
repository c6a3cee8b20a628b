import { expect } from 'chai';
import { problemOf } from '../../src/client/problem.js';
import { RemoteError, TxtmeshError } from '../../src/errors.js';

describe('client/problem', () => {
  it('keeps the code of a TxtmeshError and describes it in one line', () => {
    expect(problemOf(new TxtmeshError('ERR_PEER_UNREACHABLE', 'p1 is unreachable'))).to.deep.equal({ code: 'ERR_PEER_UNREACHABLE', message: 'p1 is unreachable (ERR_PEER_UNREACHABLE)' });
    expect(problemOf(new RemoteError('ERR_NOT_FOUND', 'no such file')).code).to.equal('ERR_NOT_FOUND');
  });

  it('gives anything else ERR_INTERNAL with its message', () => {
    expect(problemOf(new Error('boom'))).to.deep.equal({ code: 'ERR_INTERNAL', message: 'boom' });
    expect(problemOf('text')).to.deep.equal({ code: 'ERR_INTERNAL', message: 'text' });
  });
});
