/**
 * ERROR_TABLE is the one source of what a code means; docs/PROTOCOL.md's "Every code" table
 * must say the same, row for row.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, ERROR_TABLE, TxtmeshError, isErrorCode, isLie, isRefusal, isTransient, isTransport } from '../src/errors.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The rows of PROTOCOL.md's per-code table: code, class, on the wire, transient, exit status. */
function protocolTable(): string[][] {
  const text = readFileSync(join(repo, 'docs', 'PROTOCOL.md'), 'utf8');
  const start = text.indexOf('| code | class | on the wire | transient | exit status | meaning |');
  expect(start, 'PROTOCOL.md has the per-code table').to.be.greaterThan(0);
  const rows: string[][] = [];
  for (const line of text.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('| `')) break;
    rows.push(line.split('|').slice(1, 6).map((cell) => cell.trim().replace(/`/g, '')));
  }
  return rows;
}

describe('errors', () => {
  it('PROTOCOL.md lists every code, in order, with the same class, wire, transient and exit status', () => {
    const rows = protocolTable();
    expect(rows.map((r) => r[0])).to.deep.equal(ERROR_CODES);
    for (const [code, cls, wire, transient, exit] of rows) {
      const traits = ERROR_TABLE[code as keyof typeof ERROR_TABLE];
      expect([cls, wire, transient, exit], code).to.deep.equal([traits.class, traits.wire ? 'yes' : 'no', traits.transient ? 'yes' : 'no', traits.exit === null ? 'depends' : String(traits.exit)]);
    }
  });

  it('derives retries, bans and refusals from the table', () => {
    const err = (code: keyof typeof ERROR_TABLE) => new TxtmeshError(code, 'x');
    expect(ERROR_CODES.filter((c) => isTransient(err(c)))).to.deep.equal(['ERR_BUSY', 'ERR_PEER_UNREACHABLE', 'ERR_PEER_TIMEOUT', 'ERR_PEER_CLOSED']);
    expect(ERROR_CODES.filter((c) => isLie(err(c)))).to.deep.equal(['ERR_PEER_PROTOCOL', 'ERR_HASH_MISMATCH']);
    expect(ERROR_CODES.filter(isRefusal)).to.deep.equal(['ERR_NOT_A_MEMBER', 'ERR_BAD_IDENTITY', 'ERR_TLS_REQUIRED', 'ERR_TLS_HANDSHAKE', 'ERR_CERT_EXPIRED']);
    expect(ERROR_CODES.filter(isTransport)).to.deep.equal(['ERR_PEER_UNREACHABLE', 'ERR_PEER_TIMEOUT', 'ERR_PEER_CLOSED']);
    expect(isTransient(new Error('not ours'))).to.equal(false);
  });

  it('vets codes read from the wire', () => {
    expect(isErrorCode('ERR_NOT_FOUND')).to.equal(true);
    expect(isErrorCode('ERR_NOPE')).to.equal(false);
    expect(isErrorCode('toString')).to.equal(false);
  });
});
