/**
 * The one way tests check a failure: by its stable code (src/errors.ts), never by its wording
 * (STYLE.md guideline 5). The error is returned for any further checks (its message, its peers).
 */
import { expect } from 'chai';
import { type ErrorCode, TxtmeshError } from '../../src/errors.js';

/** An error class: TxtmeshError (the default) or a subclass such as ProtocolError. */
type ErrorClass<E extends TxtmeshError> = abstract new (...args: never[]) => E;

/**
 * Expects `action` to fail with an error of class `type` whose code is `code`, and returns it:
 * a function must throw when called (synchronously), a promise must reject.
 */
export function expectCode<E extends TxtmeshError = TxtmeshError>(action: () => unknown, code: ErrorCode, type?: ErrorClass<E>): E;
export function expectCode<E extends TxtmeshError = TxtmeshError>(action: PromiseLike<unknown>, code: ErrorCode, type?: ErrorClass<E>): Promise<E>;
export function expectCode<E extends TxtmeshError>(action: (() => unknown) | PromiseLike<unknown>, code: ErrorCode, type?: ErrorClass<E>): E | Promise<E> {
  const errorClass = type ?? (TxtmeshError as unknown as ErrorClass<E>);
  if (typeof action !== 'function') {
    return Promise.resolve(action).then(
      () => expect.fail(`expected a rejection with ${code}, but the promise resolved`),
      (err: unknown) => checked(err, code, errorClass),
    );
  }
  let returned: unknown;
  try {
    returned = action();
  } catch (err) {
    return checked(err, code, errorClass);
  }
  if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') expect.fail('expectCode: the function returned a promise; pass the promise itself');
  expect.fail(`expected a throw with ${code}, but the function returned`);
}

function checked<E extends TxtmeshError>(err: unknown, code: ErrorCode, type: ErrorClass<E>): E {
  expect(err, `expected a ${type.name} with ${code}`).to.be.instanceOf(type);
  expect((err as E).code, (err as Error).message).to.equal(code);
  return err as E;
}
