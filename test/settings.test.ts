import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MAX_SETTINGS_BYTES, type PeerAddress, findPeers, formatAddress, isHost, loadSettings, meshMode, parseFingerprint, parseSettings } from '../src/settings.js';
import { expectCode } from './helpers/expect-code.js';

/** [id, host, port, line] tuples, for compact comparisons. */
function tuples(peers: readonly PeerAddress[]): [string, string, number, number][] {
  return peers.map((p) => [p.id, p.host, p.port, p.line]);
}

describe('settings', () => {
  describe('parseSettings: good input', () => {
    it('parses one peer a line, with line numbers', () => {
      const peers = parseSettings('p1 127.0.0.1 5001\np2 10.0.0.2 5002\n');
      expect(peers).to.deep.equal([
        { id: 'p1', host: '127.0.0.1', port: 5001, line: 1 },
        { id: 'p2', host: '10.0.0.2', port: 5002, line: 2 },
      ]);
    });

    it('skips blank lines and whole-line comments, keeping line numbers', () => {
      const text = '\n# the mesh\n   \np1 127.0.0.1 5001\n\t# indented comment\np2 127.0.0.1 5002';
      expect(tuples(parseSettings(text))).to.deep.equal([
        ['p1', '127.0.0.1', 5001, 4],
        ['p2', '127.0.0.1', 5002, 6],
      ]);
    });

    it('strips trailing comments, including one glued to the port', () => {
      const text = 'p1 127.0.0.1 5001 # first peer\np2 127.0.0.1 5002#second';
      expect(tuples(parseSettings(text))).to.deep.equal([
        ['p1', '127.0.0.1', 5001, 1],
        ['p2', '127.0.0.1', 5002, 2],
      ]);
    });

    it('accepts runs of spaces and tabs between and around fields', () => {
      const text = '  p1   127.0.0.1\t\t5001  \n\tp2 \t localhost \t 5002\t';
      expect(tuples(parseSettings(text))).to.deep.equal([
        ['p1', '127.0.0.1', 5001, 1],
        ['p2', 'localhost', 5002, 2],
      ]);
    });

    it('accepts CRLF line ends', () => {
      const text = 'p1 127.0.0.1 5001\r\n\r\np2 127.0.0.1 5002\r\n';
      expect(tuples(parseSettings(text))).to.deep.equal([
        ['p1', '127.0.0.1', 5001, 1],
        ['p2', '127.0.0.1', 5002, 3],
      ]);
    });

    it('accepts lone CR line ends', () => {
      const text = 'p1 127.0.0.1 5001\rp2 127.0.0.1 5002\r\rp3 127.0.0.1 5003\r';
      expect(tuples(parseSettings(text))).to.deep.equal([
        ['p1', '127.0.0.1', 5001, 1],
        ['p2', '127.0.0.1', 5002, 2],
        ['p3', '127.0.0.1', 5003, 4],
      ]);
    });

    it('ignores a UTF-8 byte order mark', () => {
      const text = '\uFEFFp1 127.0.0.1 5001\n';
      expect(tuples(parseSettings(text))).to.deep.equal([['p1', '127.0.0.1', 5001, 1]]);
    });

    it('accepts a trailing blank line (the original crashed on it)', () => {
      expect(tuples(parseSettings('p1 127.0.0.1 5001\n\n'))).to.deep.equal([['p1', '127.0.0.1', 5001, 1]]);
      expect(tuples(parseSettings('p1 127.0.0.1 5001\n   \n'))).to.deep.equal([['p1', '127.0.0.1', 5001, 1]]);
    });

    it('returns no peers for empty or comment-only text', () => {
      expect(parseSettings('')).to.deep.equal([]);
      expect(parseSettings('# nothing here\n\n')).to.deep.equal([]);
    });

    it('accepts IPv4, plain and bracketed IPv6, and host names', () => {
      const text = [
        'v4 192.168.1.20 1',
        'v6 ::1 65535',
        'v6b [::1] 5003',
        'v6full [2001:db8::8a2e:370:7334] 5004',
        'name peer-1.example.com 5005',
        'short localhost 5006',
        'fqdn example.org. 5007',
      ].join('\n');
      expect(tuples(parseSettings(text))).to.deep.equal([
        ['v4', '192.168.1.20', 1, 1],
        ['v6', '::1', 65535, 2],
        ['v6b', '::1', 5003, 3],
        ['v6full', '2001:db8::8a2e:370:7334', 5004, 4],
        ['name', 'peer-1.example.com', 5005, 5],
        ['short', 'localhost', 5006, 6],
        ['fqdn', 'example.org.', 5007, 7],
      ]);
    });

    it('accepts IDs with letters, digits, dots, underscores and hyphens, up to 64 characters', () => {
      const long = 'A' + 'b'.repeat(63);
      const peers = parseSettings(`peer_1.a-B 127.0.0.1 5001\n${long} 127.0.0.1 5002`);
      expect(peers.map((p) => p.id)).to.deep.equal(['peer_1.a-B', long]);
    });
  });

  describe('parseSettings: bad lines', () => {
    const badLines: [string, string][] = [
      ['two fields', 'p1 127.0.0.1'],
      ['one field', 'p1'],
      ['four fields', 'p1 127.0.0.1 5001 extra'],
      ['port 0', 'p1 127.0.0.1 0'],
      ['port 65536', 'p1 127.0.0.1 65536'],
      ['port abc', 'p1 127.0.0.1 abc'],
      ['port -1', 'p1 127.0.0.1 -1'],
      ['port 1.5', 'p1 127.0.0.1 1.5'],
      ['port 123456', 'p1 127.0.0.1 123456'],
      ['port 080 (a leading zero)', 'p1 127.0.0.1 080'],
      ['port 05001', 'p1 127.0.0.1 05001'],
      ['address 999.1.1.1 (not IPv4, not a host name)', 'p1 999.1.1.1 5001'],
      ['address 127.1 (a short IPv4 form)', 'p1 127.1 5001'],
      ['address 2130706433 (a bare number)', 'p1 2130706433 5001'],
      ['ID starting with a hyphen', '-p1 127.0.0.1 5001'],
      ['ID with a bang', 'p!1 127.0.0.1 5001'],
      ['ID of 65 characters', `${'a'.repeat(65)} 127.0.0.1 5001`],
      ['host a..b', 'p1 a..b 5001'],
      ['host under_score!', 'p1 under_score! 5001'],
      ['host with a leading hyphen', 'p1 -host 5001'],
      ['host [] brackets around a name-less value', 'p1 [] 5001'],
    ];
    for (const [what, line] of badLines) {
      it(`rejects ${what} with ERR_SETTINGS_LINE naming file and line`, () => {
        const text = `# header\n\ngood 127.0.0.1 5000\n${line}\n`;
        const err = expectCode(() => parseSettings(text, 'mesh.txt'), 'ERR_SETTINGS_LINE');
        expect(err.message).to.include('mesh.txt:4');
      });
    }

    it('says what is wrong with an address that looks like IPv4 and is not, and with a leading zero', () => {
      const address = expectCode(() => parseSettings('p1 999.1.1.1 5001\n', 'mesh.txt'), 'ERR_SETTINGS_LINE');
      expect(address.message).to.contain('mesh.txt:1').and.contain('999.1.1.1').and.contain('IPv4');
      expect(expectCode(() => parseSettings('p1 127.0.0.1 080\n'), 'ERR_SETTINGS_LINE').message).to.contain('leading zeros');
      // Names whose last label has a letter are still names; IPv4 and IPv6 literals still addresses.
      for (const host of ['1.2.3.example', 'x1', '3com.com', '10.0.0.255', '::ffff:1.2.3.4']) expect(isHost(host), host).to.equal(true);
      for (const host of ['1.2.3.4.5', '256.0.0.1', '1.2.3.04x.5', '10.0.0.', '4']) expect(isHost(host), host).to.equal(false);
    });

    it('uses peer_settings.txt as the default file name in errors', () => {
      const err = expectCode(() => parseSettings('p1 127.0.0.1 5001\np2 127.0.0.1'), 'ERR_SETTINGS_LINE');
      expect(err.message).to.include('peer_settings.txt:2');
    });

    it('counts CRLF and lone-CR lines when naming the bad line', () => {
      const crlf = expectCode(() => parseSettings('p1 127.0.0.1 5001\r\n\r\nbad\r\n', 's.txt'), 'ERR_SETTINGS_LINE');
      expect(crlf.message).to.include('s.txt:3');
      const cr = expectCode(() => parseSettings('p1 127.0.0.1 5001\r\rbad\r', 's.txt'), 'ERR_SETTINGS_LINE');
      expect(cr.message).to.include('s.txt:3');
    });

    it('rejects a duplicate ID with ERR_SETTINGS_DUPLICATE naming the second line', () => {
      const err = expectCode(() => parseSettings('p1 127.0.0.1 5001\np2 127.0.0.1 5002\np1 10.0.0.1 6000\n', 'dup.txt'), 'ERR_SETTINGS_DUPLICATE');
      expect(err.message).to.include('dup.txt:3');
    });
  });

  describe('findPeers', () => {
    const peers = parseSettings('p1 127.0.0.1 5001\np2 127.0.0.1 5002\np3 ::1 5003\n');

    it('returns peers in the order asked for', () => {
      expect(findPeers(peers, ['p3', 'p1']).map((p) => p.id)).to.deep.equal(['p3', 'p1']);
      expect(findPeers(peers, ['p2']).map((p) => p.port)).to.deep.equal([5002]);
      expect(findPeers(peers, [])).to.deep.equal([]);
    });

    it('throws ERR_UNKNOWN_PEER naming the unknown IDs and listing the known ones', () => {
      const err = expectCode(() => findPeers(peers, ['p1', 'nope', 'zzz']), 'ERR_UNKNOWN_PEER');
      for (const id of ['nope', 'zzz', 'p1', 'p2', 'p3']) expect(err.message).to.include(id);
    });

    it('throws ERR_UNKNOWN_PEER when there are no known peers at all', () => {
      expectCode(() => findPeers([], ['p1']), 'ERR_UNKNOWN_PEER');
    });
  });

  describe('formatAddress', () => {
    it('brackets IPv6 addresses only', () => {
      expect(formatAddress({ host: '::1', port: 5001 })).to.equal('[::1]:5001');
      expect(formatAddress({ host: '2001:db8::1', port: 80 })).to.equal('[2001:db8::1]:80');
      expect(formatAddress({ host: '127.0.0.1', port: 5001 })).to.equal('127.0.0.1:5001');
      expect(formatAddress({ host: 'localhost', port: 5001 })).to.equal('localhost:5001');
    });

    it('formats a parsed bracketed IPv6 entry with one pair of brackets', () => {
      const [peer] = parseSettings('p1 [::1] 5001');
      expect(peer && formatAddress(peer)).to.equal('[::1]:5001');
    });
  });

  describe('loadSettings', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'txtmesh-settings-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reads and parses a file', async () => {
      const path = join(dir, 'peer_settings.txt');
      await writeFile(path, '\uFEFFp1 127.0.0.1 5001\r\np2 [::1] 5002\r\n\r\n');
      expect(tuples(await loadSettings(path))).to.deep.equal([
        ['p1', '127.0.0.1', 5001, 1],
        ['p2', '::1', 5002, 2],
      ]);
    });

    it('names the file path in line errors', async () => {
      const path = join(dir, 'bad_settings.txt');
      await writeFile(path, 'p1 127.0.0.1 5001\np2 127.0.0.1 99999\n');
      const err = await expectCode(loadSettings(path), 'ERR_SETTINGS_LINE');
      expect(err.message).to.include(`${path}:2`);
    });

    it('refuses a FIFO at once (ERR_SETTINGS_READ) instead of waiting for a writer', async function () {
      this.timeout(5000);
      const fifo = join(dir, 'fifo_settings.txt');
      expect(spawnSync('mkfifo', [fifo]).status).to.equal(0);
      const err = await expectCode(loadSettings(fifo), 'ERR_SETTINGS_READ');
      expect(err.message).to.contain(fifo).and.contain('not a regular file');
    });

    it('refuses /dev/zero and a folder (ERR_SETTINGS_READ) without reading them', async function () {
      this.timeout(5000);
      for (const path of ['/dev/zero', dir]) {
        const err = await expectCode(loadSettings(path), 'ERR_SETTINGS_READ');
        expect(err.message).to.contain('not a regular file');
      }
    });

    it(`reads a file of up to ${MAX_SETTINGS_BYTES} bytes, and refuses a larger one (ERR_SETTINGS_READ)`, async () => {
      const path = join(dir, 'big_settings.txt');
      const line = 'p1 127.0.0.1 5001\n';
      await writeFile(path, line + '#'.repeat(MAX_SETTINGS_BYTES - line.length));
      expect(tuples(await loadSettings(path))).to.deep.equal([['p1', '127.0.0.1', 5001, 1]]);
      await writeFile(path, line + '#'.repeat(MAX_SETTINGS_BYTES - line.length + 1));
      await expectCode(loadSettings(path), 'ERR_SETTINGS_READ');
      // A sparse file of 4 GiB: refused after reading one byte past the cap.
      await truncate(path, 4 * 1024 ** 3);
      const err = await expectCode(loadSettings(path), 'ERR_SETTINGS_READ');
      expect(err.message).to.contain(`larger than ${MAX_SETTINGS_BYTES} bytes`);
    });

    it('throws ERR_SETTINGS_READ for a missing file', async () => {
      await expectCode(loadSettings(join(dir, 'missing.txt')), 'ERR_SETTINGS_READ');
    });
  });

  describe('fingerprints (the fourth column)', () => {
    const A = 'a'.repeat(64);
    const B = 'b'.repeat(64);

    it('parses a fingerprint, in lower or upper case or with colons, as 64 lower-case hex digits', () => {
      const colons = B.toUpperCase().match(/../g)?.join(':') ?? '';
      const peers = parseSettings(`p1 127.0.0.1 5001 ${A.toUpperCase()}\np2 127.0.0.1 5002 ${colons}  # p2's\n`);
      expect(peers.map((p) => p.fingerprint)).to.deep.equal([A, B]);
      expect(meshMode(peers)).to.equal('secure');
      expect(meshMode(parseSettings('p1 127.0.0.1 5001\n'))).to.equal('open');
      expect(parseFingerprint('ab:cd')).to.equal(undefined);
    });

    it('refuses a bad fingerprint, naming the line', () => {
      const err = expectCode(() => parseSettings(`p1 127.0.0.1 5001 ${A}\np2 127.0.0.1 5002 ${'g'.repeat(64)}\n`), 'ERR_SETTINGS_LINE');
      expect(err.message).to.contain(':2:');
      expectCode(() => parseSettings(`p1 127.0.0.1 5001 ${A} extra\n`), 'ERR_SETTINGS_LINE');
    });

    it('refuses a mix of peers with and without fingerprints, naming the lines of each', () => {
      const err = expectCode(() => parseSettings(`p1 127.0.0.1 5001 ${A}\n# comment\np2 127.0.0.1 5002\np3 127.0.0.1 5003 ${B}\n`, 'mesh.txt'), 'ERR_SETTINGS_MIXED');
      expect(err.message).to.contain('mesh.txt').and.contain('lines 1 (p1), 4 (p3)').and.contain('line 3 (p2)');
    });

    it('refuses two peers with the same fingerprint', () => {
      expectCode(() => parseSettings(`p1 127.0.0.1 5001 ${A}\np2 127.0.0.1 5002 ${A}\n`), 'ERR_SETTINGS_DUPLICATE');
    });
  });
});
