/**
 * A peer serves a file it is still downloading (docs/PROTOCOL.md, "Partial holders"): a real
 * server on 127.0.0.1 over a folder with a real part file and sidecar, asked by a real client
 * session.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { PIECE_SIZE } from '../../src/constants.js';
import { fileInfo, getRange, holding } from '../../src/client/peer-client.js';
import { PeerConnection } from '../../src/client/peer-connection.js';
import { PeerServer } from '../../src/server/peer-server.js';
import { PartFile } from '../../src/storage/part-file.js';
import { PieceHasher } from '../../src/storage/piece-hasher.js';
import { ServedFolder } from '../../src/storage/served-folder.js';
import { makeText, tempDir } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';
import { TxtmeshError } from '../../src/errors.js';

describe('server/partial-handlers', function () {
  this.timeout(20_000);
  let server: PeerServer | undefined;
  let conn: PeerConnection | undefined;
  afterEach(async () => {
    conn?.close();
    await server?.close();
  });

  it('serves the verified pieces of a download in progress, only those, then the finished file', async () => {
    const text = makeText(3 * PIECE_SIZE + 999);
    const hasher = new PieceHasher();
    hasher.update(text);
    const info = { name: 'f.txt', size: text.length, pieceSize: PIECE_SIZE, ...hasher.digest() };
    const dir = join(await tempDir(), 'served_files');
    const folder = new ServedFolder(dir);
    await folder.init();
    const { part } = await PartFile.open(folder, info);
    await part.write(PIECE_SIZE, text.subarray(PIECE_SIZE, 2 * PIECE_SIZE));
    await part.markVerified(1);

    server = new PeerServer({ peerId: 'p1', dir });
    const { port } = await server.listen(0, '127.0.0.1');
    conn = await PeerConnection.connect({ id: 'p1', host: '127.0.0.1', port, line: 1 });

    await expectCode(fileInfo(conn, 'f.txt'), 'ERR_NOT_FOUND'); // an old client never sees a partial copy
    const partial = await fileInfo(conn, 'f.txt', undefined, { partial: true });
    expect(partial.identity).to.equal(info.identity);
    expect([...(partial.have ?? [])]).to.deep.equal([0, 1, 0, 0]);
    expect(partial.complete, 'a downloader does not say complete').to.equal(undefined);
    expect([...(await holding(conn, 'f.txt', info.identity, 4))]).to.deep.equal([0, 1, 0, 0]);

    const held = await getRange(conn, 'f.txt', PIECE_SIZE, PIECE_SIZE, info.identity);
    expect(held.equals(text.subarray(PIECE_SIZE, 2 * PIECE_SIZE))).to.equal(true);
    await expectCode(getRange(conn, 'f.txt', 0, PIECE_SIZE, info.identity), 'ERR_NOT_HELD');
    await expectCode(holding(conn, 'f.txt', 'e'.repeat(64), 4), 'ERR_NOT_FOUND');
    expect(conn.closed).to.equal(false); // a refusal is an answer, the connection goes on

    // Bytes on disk that the sidecar does not vouch for are never served.
    await part.write(0, text.subarray(0, PIECE_SIZE));
    await expectCode(getRange(conn, 'f.txt', 0, 10, info.identity), 'ERR_NOT_HELD');
    await part.markVerified(0);
    expect((await getRange(conn, 'f.txt', 0, 10, info.identity)).equals(text.subarray(0, 10))).to.equal(true);

    // Done: the file takes its name, and the same connection goes on reading it.
    await part.write(2 * PIECE_SIZE, text.subarray(2 * PIECE_SIZE));
    expect(await part.publish(() => new TxtmeshError('ERR_EXISTS', 'the name is taken'))).to.equal('stored');
    await part.discard();
    expect([...(await holding(conn, 'f.txt', info.identity, 4))]).to.deep.equal([1, 1, 1, 1]);
    const tail = await getRange(conn, 'f.txt', 3 * PIECE_SIZE, 999, info.identity);
    expect(tail.equals(text.subarray(3 * PIECE_SIZE))).to.equal(true);
    expect((await fileInfo(conn, 'f.txt', undefined, { partial: true })).have).to.equal(undefined);
  });
});
