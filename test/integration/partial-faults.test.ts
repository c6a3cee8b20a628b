/**
 * A partial holder whose part file is deleted while it serves (issue 10, "Tests"): a real
 * server (p2) holding a download in progress of a file (a real part file and sidecar, most
 * pieces verified), beside a real seed; both behind proxies slow enough that the download takes
 * a while. As p2's first piece arrives, its part file is deleted (the sidecar stays and still
 * claims the pieces). The download completes from the seed, byte for byte; p2 answers
 * ERR_NOT_HELD from then on and is not asked for any piece twice; its server keeps serving its
 * other files to others.
 */
import { expect } from 'chai';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { download } from '../../src/client/download.js';
import { getRange, listFiles } from '../../src/client/peer-client.js';
import { PeerConnection } from '../../src/client/peer-connection.js';
import { PIECE_SIZE } from '../../src/constants.js';
import type { RequestLog } from '../../src/server/connection.js';
import { PeerServer } from '../../src/server/peer-server.js';
import { PartFile } from '../../src/storage/part-file.js';
import { PieceHasher } from '../../src/storage/piece-hasher.js';
import { ServedFolder } from '../../src/storage/served-folder.js';
import { type Mesh, type Proxy, makeText, startMesh, tempDir, throttledProxy, writeFiles } from '../helpers.js';

const PIECES = 16;
const text = makeText(PIECES * PIECE_SIZE);
const other = makeText(3 * PIECE_SIZE + 17);

describe('a partial holder whose part file is deleted while it serves', function () {
  this.timeout(60_000);
  let mesh: Mesh | undefined;
  let proxies: Proxy[] = [];
  let p2: PeerServer | undefined;
  let part: PartFile | undefined;
  afterEach(async () => {
    await part?.close();
    for (const proxy of proxies) await proxy.close();
    proxies = [];
    await p2?.close();
    await mesh?.stop();
  });

  /** p2's folder: other.txt complete, and a download of big.txt with pieces 0-11 verified. */
  async function partialHolder(): Promise<{ dir: string; log: RequestLog[]; port: number }> {
    const hasher = new PieceHasher(PIECE_SIZE);
    hasher.update(text);
    const info = { name: 'big.txt', size: text.length, pieceSize: PIECE_SIZE, ...hasher.digest() };
    const dir = join(await tempDir(), 'served_files');
    await writeFiles(dir, { 'other.txt': other });
    const folder = new ServedFolder(dir);
    await folder.init();
    ({ part } = await PartFile.open(folder, info));
    await part.write(0, text.subarray(0, 12 * PIECE_SIZE));
    await part.markVerified(0, 12);
    const log: RequestLog[] = [];
    p2 = new PeerServer({ peerId: 'p2', dir, log: (entry) => log.push(entry) });
    const { port } = await p2.listen(0, '127.0.0.1');
    return { dir, log, port };
  }

  it('the download completes from the seed, nothing wrong is written, p2 is asked for no piece twice and keeps serving', async () => {
    mesh = await startMesh({ seed: { files: { 'big.txt': text } } }, ['me']);
    const { dir, log, port } = await partialHolder();
    const p2Address = { id: 'p2', host: '127.0.0.1', port, line: 2 };
    proxies = [await throttledProxy(p2Address, 2 * 1024 * 1024), await throttledProxy(mesh.address('seed'), 1024 * 1024)];
    let deleted: string[] = [];
    const onPiece = (peer: string) => {
      if (peer !== 'p2' || deleted.length > 0) return;
      deleted = ['pending'];
      void readdir(dir).then(async (names) => {
        deleted = names.filter((n) => n.endsWith('.txtmesh-part'));
        for (const name of deleted) await rm(join(dir, name));
      });
    };
    const peers = [{ ...p2Address, port: proxies[0]?.port ?? 0 }, { ...mesh.address('seed'), port: proxies[1]?.port ?? 0 }];
    const result = await download({ name: 'big.txt', peers, folder: await mesh.folderOf('me'), onPiece });

    expect(deleted).to.have.length(1);
    expect((await readFile(join(mesh.dirOf('me'), 'big.txt'))).equals(text)).to.equal(true);
    const row = (id: string) => result.peers.find((p) => p.peer === id);
    expect(row('p2')?.bytes, 'p2 served before its part file went').to.be.above(0);
    expect((row('p2')?.bytes ?? 0) + (row('seed')?.bytes ?? 0)).to.equal(text.length);
    expect(row('p2')?.partial).to.equal(true);
    // p2's log: after its first refusal nothing more went out, and no piece was asked twice.
    const gets = log.filter((e) => e.verb === 'GET' && e.name === 'big.txt');
    const refused = gets.findIndex((e) => e.status === 'ERR_NOT_HELD');
    expect(refused, 'p2 refused once its part file was gone').to.be.at.least(1);
    expect(gets.slice(refused).every((e) => e.bytes === 0 && e.status !== 'OK')).to.equal(true);
    expect(gets.length).to.be.at.most(PIECES);

    // p2's server goes on serving: another client lists and fetches its complete file.
    const conn = await PeerConnection.connect(p2Address);
    try {
      expect((await listFiles(conn)).map((f) => f.name)).to.deep.equal(['other.txt']);
      const hasher = new PieceHasher(PIECE_SIZE);
      hasher.update(other);
      expect((await getRange(conn, 'other.txt', 0, other.length, hasher.digest().identity)).equals(other)).to.equal(true);
    } finally {
      conn.close();
    }
  });
});
