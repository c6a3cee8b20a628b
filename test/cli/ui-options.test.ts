import { expect } from 'chai';
import { UI_OPTIONS, checkUiArgs } from '../../src/cli/ui-options.js';
import { DEFAULT_MAX_SHARE_BYTES } from '../../src/web/share-upload.js';
import { expectCode } from '../helpers/expect-code.js';

describe('cli/ui-options', () => {
  it('takes ports 0-65535 and a share cap of 0 or more, as whole numbers', () => {
    for (const argv of [{}, { 'ui-port': 0 }, { 'ui-port': 65535 }, { 'ui-max-share': 0 }, { 'ui-max-share': 10 ** 9 }]) expect(() => checkUiArgs(argv)).to.not.throw();
  });

  it('refuses other numbers with ERR_USAGE naming the flag', () => {
    for (const [argv, flag] of [[{ 'ui-port': 70000 }, '--ui-port'], [{ 'ui-port': -1 }, '--ui-port'], [{ 'ui-port': 80.5 }, '--ui-port'], [{ 'ui-port': NaN }, '--ui-port'], [{ 'ui-max-share': -5 }, '--ui-max-share'], [{ 'ui-max-share': 1.5 }, '--ui-max-share']] as const) {
      const err = expectCode(() => checkUiArgs(argv), 'ERR_USAGE');
      expect(err.message).to.match(new RegExp(`^${flag} must be a whole number`));
    }
  });

  it('states the page\'s own default share cap in --help', () => {
    expect(UI_OPTIONS['ui-max-share'].describe).to.include(`[default: ${DEFAULT_MAX_SHARE_BYTES}, ${DEFAULT_MAX_SHARE_BYTES / 1024 / 1024} MiB]`);
  });
});
