/**
 * cli/console-history: the history file of a peer folder, and Ctrl-R search on a readline fed
 * keys as a terminal sends them (the pty test runs it in the real console).
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { HISTORY_SIZE, addHistorySearch, loadHistory, saveHistory } from '../../src/cli/console-history.js';
import { tempDir } from '../helpers.js';

describe('cli/console-history', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('txtmesh-history-');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('saves newest last, owner-only, at most HISTORY_SIZE lines, and loads newest first', async () => {
    const path = join(dir, 'h');
    expect(loadHistory(path)).to.deep.equal([]);
    saveHistory(path, ['third', 'second', 'first']);
    expect(await readFile(path, 'utf8')).to.equal('first\nsecond\nthird\n');
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
    expect(loadHistory(path)).to.deep.equal(['third', 'second', 'first']);
    await writeFile(path, Array.from({ length: HISTORY_SIZE + 10 }, (_, i) => `c${i}`).join('\n') + '\n\n');
    const loaded = loadHistory(path);
    expect(loaded).to.have.length(HISTORY_SIZE);
    expect(loaded[0]).to.equal(`c${HISTORY_SIZE + 9}`);
    saveHistory(join(dir, 'missing', 'h'), ['x']); // a folder that is not there: not kept, no error
  });

  it('Ctrl-R finds the newest command holding the text, Ctrl-R again an older one, Enter runs it', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    output.resume();
    const rl = createInterface({ input, output, terminal: true, history: ['#DOWNLOAD b.txt', '#PEERS', '#DOWNLOAD a.txt'] });
    addHistorySearch(rl, 'me> ');
    const line = once(rl, 'line');
    input.write('\x12DOWN\x12\r');
    expect((await line)[0]).to.equal('#DOWNLOAD a.txt');
    expect(rl.getPrompt()).to.equal('me> ');
    const typed = once(rl, 'line');
    input.write('x\x12PEE\x07'); // Ctrl-G gives up: the line typed before the search is back
    input.write('y\r');
    expect((await typed)[0]).to.equal('xy');
    const edited = once(rl, 'line');
    input.write('\x12b.t\x05!\r'); // another key (Ctrl-E) takes the match for editing
    expect((await edited)[0]).to.equal('#DOWNLOAD b.txt!');
    rl.close();
  });
});
