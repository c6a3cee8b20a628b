import { expect } from 'chai';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { findOnPath, openBrowser, openerName } from '../../src/web/open-browser.js';

describe('web/open-browser (--open)', () => {
  let dir: string;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('names xdg-open on Linux and open on macOS', () => {
    expect(openerName('linux')).to.equal('xdg-open');
    expect(openerName('darwin')).to.equal('open');
  });

  it('says so, and starts nothing, where there is no opener on PATH', () => {
    const result = openBrowser('http://127.0.0.1:1/t/', { path: dir, platform: 'linux' });
    expect(result).to.deep.equal({ opened: false, reason: 'no xdg-open on PATH, so no browser was started; open the URL yourself' });
  });

  it('runs the opener found on PATH with the URL', async () => {
    const script = join(dir, 'xdg-open');
    const record = join(dir, 'opened-with');
    await writeFile(script, `#!/bin/sh\nprintf '%s' "$1" > '${record}'\n`);
    await chmod(script, 0o755);
    expect(findOnPath('xdg-open', `/nonexistent:${dir}`)).to.equal(script);
    const result = openBrowser('http://127.0.0.1:1/token/', { path: dir, platform: 'linux' });
    expect(result).to.deep.equal({ opened: true, command: script });
    const deadline = Date.now() + 5000;
    let seen = '';
    while (Date.now() < deadline && seen === '') {
      seen = await readFile(record, 'utf8').catch(() => '');
      if (seen === '') await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).to.equal('http://127.0.0.1:1/token/');
  });

  it('skips a file on PATH that is not executable', async () => {
    await writeFile(join(dir, 'xdg-open'), 'not a program');
    expect(findOnPath('xdg-open', dir)).to.equal(undefined);
  });
});
