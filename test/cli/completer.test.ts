import { expect } from 'chai';
import { complete, escapeWord, quoteWord } from '../../src/cli/completer.js';
import { splitCommandLine } from '../../src/cli/command-line.js';

const source = { peers: ['p1', 'p2', 'q9'], names: ['notes.txt', 'my notes.txt', 'news.txt'] };

describe('cli/completer', () => {
  it('completes commands at the start of the line, in the case typed; a single hit ends with a space', () => {
    expect(complete('#DO', source)).to.deep.equal([['#DOWNLOAD '], '#DO']);
    expect(complete('#f', source)).to.deep.equal([['#filelist', '#files'], '#f']);
    expect(complete('pe', source)).to.deep.equal([['peers '], 'pe']);
    expect(complete('', source)[0]).to.include.members(['#PEERS', '#PING', '#FILES', '#SHARE', '#HELP', '#QUIT', '#DISCOVER', '#VERSIONS', '#RESTORE', '#UNSHARE']);
  });

  it('completes peer IDs where a command takes peers, leaving out those already given', () => {
    expect(complete('#FILELIST ', source)).to.deep.equal([['p1', 'p2', 'q9'], '']);
    expect(complete('#PING p1 p', source)).to.deep.equal([['p2 '], 'p']);
    expect(complete('#DOWNLOAD notes.txt p', source)).to.deep.equal([['p1', 'p2'], 'p']);
  });

  it('completes known file names: quoted after a typed quote, else with spaces escaped; #DOWNLOAD takes more names', () => {
    expect(complete('#DOWNLOAD n', source)).to.deep.equal([['news.txt', 'notes.txt'], 'n']);
    expect(complete('#upload "my', source)).to.deep.equal([['"my notes.txt" '], '"my']);
    expect(complete('#DOWNLOAD my', source)).to.deep.equal([['my\\ notes.txt '], 'my']);
    expect(complete('#DOWNLOAD my\\ n', source)).to.deep.equal([['my\\ notes.txt '], 'my\\ n']);
    expect(complete('#DOWNLOAD ', source)[0]).to.deep.equal(['my\\ notes.txt', 'news.txt', 'notes.txt']);
    expect(complete('#DOWNLOAD notes.txt ne', source)).to.deep.equal([['news.txt '], 'ne']);
    // What completion writes, the console reads back as the name.
    expect(splitCommandLine('#DOWNLOAD my\\ notes.txt p1')).to.deep.equal(['#DOWNLOAD', 'my notes.txt', 'p1']);
  });

  it('completes paths on disk for #SHARE: folders end with / and wait for more', () => {
    const paths = (partial: string) => ['../drafts/', '../draft notes.txt', '../dr.txt'].filter((p) => p.startsWith(partial));
    expect(complete('#SHARE ../dra', { ...source, paths })).to.deep.equal([['../draft\\ notes.txt', '../drafts/'], '../dra']);
    expect(complete('#SHARE ../drafts', { ...source, paths })).to.deep.equal([['../drafts/'], '../drafts']);
    expect(complete('#SHARE ../dr.', { ...source, paths })).to.deep.equal([['../dr.txt '], '../dr.']);
    expect(complete('#SHARE x', source)).to.deep.equal([[], 'x']);
  });

  it('never offers a name with control characters, which readline would print raw', () => {
    const hostile = { peers: [], names: ['n\u001b[2J.txt', 'n\u009b2J.txt', 'note.txt'] };
    expect(complete('#DOWNLOAD n', hostile)).to.deep.equal([['note.txt '], 'n']);
  });

  it('completes a command name after #HELP, and nothing for commands without arguments', () => {
    expect(complete('#HELP dow', source)).to.deep.equal([['download '], 'dow']);
    expect(complete('#PEERS ', source)).to.deep.equal([[], '']);
    expect(complete('#NOPE x', source)).to.deep.equal([[], 'x']);
  });

  it('completes up and down for #LIMIT, each once, and nothing where a rate goes', () => {
    expect(complete('#LIMIT ', source)).to.deep.equal([['down', 'up'], '']);
    expect(complete('#LIMIT d', source)).to.deep.equal([['down '], 'd']);
    expect(complete('#LIMIT up ', source)).to.deep.equal([[], '']);
    expect(complete('#LIMIT up 2M ', source)).to.deep.equal([['down '], '']);
    expect(complete('#LIMIT down 1M up 2', source)).to.deep.equal([[], '2']);
  });

  it('quotes and escapes words the way the console reads them back', () => {
    expect(quoteWord('a.txt')).to.equal('a.txt');
    expect(quoteWord('my notes.txt')).to.equal('"my notes.txt"');
    expect(quoteWord('say "hi".txt')).to.equal('"say \\"hi\\".txt"');
    expect(escapeWord('say "hi" now.txt')).to.equal('say\\ \\"hi\\"\\ now.txt');
    expect(splitCommandLine(escapeWord('say "hi" now.txt'))).to.deep.equal(['say "hi" now.txt']);
  });
});
