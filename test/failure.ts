/**
 * The TxtmeshError a call fails with, for tests that go on to check its code. Fails the test
 * when the call succeeds or throws anything else.
 */
import { expect } from 'chai';
import { TxtmeshError } from '../src/errors.js';

/** The TxtmeshError `promise` rejects with. */
export async function failure(promise: Promise<unknown>): Promise<TxtmeshError> {
  try {
    await promise;
  } catch (err) {
    return txtmeshError(err);
  }
  return expect.fail('expected a TxtmeshError, but the call succeeded');
}

/** The TxtmeshError `fn` throws. */
export function failureOf(fn: () => unknown): TxtmeshError {
  try {
    fn();
  } catch (err) {
    return txtmeshError(err);
  }
  return expect.fail('expected a TxtmeshError, but the call succeeded');
}

function txtmeshError(err: unknown): TxtmeshError {
  expect(err).to.be.instanceOf(TxtmeshError);
  return err as TxtmeshError;
}
