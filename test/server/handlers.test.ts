/**
 * Request handlers on a real temp folder: typed requests in, typed answers (and a GET's bytes,
 * a PUT's sink) out. No sockets.
 */
import { expect } from 'chai';
import { appendFile, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_RANGE_BYTES, PIECE_SIZE } from '../../src/constants.js';
import { TxtmeshError } from '../../src/errors.js';
import type { Request } from '../../src/protocol/requests.js';
import { HandleCache } from '../../src/server/handle-cache.js';
import { SuperSeed } from '../../src/server/super-seed.js';
import { type BodySink, type HandlerContext, type Reply, type RequestNote, SEND_CHUNK, onRequest } from '../../src/server/handlers.js';
import { PieceHasher } from '../../src/storage/piece-hasher.js';
import { ServedFolder } from '../../src/storage/served-folder.js';
import { VersionsArea } from '../../src/storage/versions-area.js';
import { BufferPool } from '../../src/transport/buffer-pool.js';
import { makeText, tempDir, writeFiles } from '../helpers.js';

function identityOf(data: Buffer): string {
  const hasher = new PieceHasher(PIECE_SIZE);
  hasher.update(data);
  return hasher.digest().identity;
}

/** Copies out a GET's streamed bytes, giving each pooled buffer back as a socket would. */
async function bytesOf(reply: Reply): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of reply.body ?? []) {
    parts.push(Buffer.from(chunk));
    reply.release?.(chunk);
  }
  return Buffer.concat(parts);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => expect.fail('expected a failure'),
    (err: unknown) => {
      expect(err).to.be.instanceOf(TxtmeshError);
      return (err as TxtmeshError).code;
    },
  );
}

describe('server/handlers', () => {
  const big = makeText(2 * SEND_CHUNK + 1000);
  const small = Buffer.from('Hello, world!\n');
  let dir: string;
  let ctx: HandlerContext;
  let handles: HandleCache;

  beforeEach(async () => {
    dir = await tempDir();
    await writeFiles(dir, { 'hello.txt': small, 'sub/big.txt': big });
    const folder = new ServedFolder(dir);
    await folder.init();
    ctx = { folder, readPool: new BufferPool(SEND_CHUNK, 2), peerId: 'p1', maxUploadBytes: 1 << 30, versions: new VersionsArea(folder, { keep: 2 }) };
    handles = new HandleCache(folder);
  });

  afterEach(async () => {
    await handles.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(request: Request, note: RequestNote = {}): Promise<BodySink> {
    return onRequest(ctx, request, note, handles);
  }

  async function answer(request: Request, note: RequestNote = {}): Promise<Reply> {
    return (await start(request, note)).finish();
  }

  it('HELLO: answers with this server\'s peer ID', async () => {
    expect((await answer({ verb: 'HELLO', id: 1, peerId: 'p9' })).answer).to.deep.equal({ kind: 'HELLO', id: 1, peerId: 'p1' });
  });

  it('LIST: every served file, sorted, with size and identity', async () => {
    const { answer: list } = await answer({ verb: 'LIST', id: 2 });
    expect(list).to.deep.equal({
      kind: 'LIST',
      id: 2,
      files: [
        { name: 'hello.txt', size: small.length, identity: identityOf(small) },
        { name: 'sub/big.txt', size: big.length, identity: identityOf(big) },
      ],
    });
  });

  it('INFO: size, piece size, identity and piece hashes; ERR_NOT_FOUND for a missing file', async () => {
    const { answer: info } = await answer({ verb: 'INFO', id: 3, name: 'sub/big.txt' });
    expect(info).to.include({ kind: 'INFO', id: 3, size: big.length, pieceSize: PIECE_SIZE, identity: identityOf(big) });
    expect(info.kind === 'INFO' && info.pieceHashes.length).to.equal(Math.ceil(big.length / PIECE_SIZE) * 32);
    expect(await codeOf(start({ verb: 'INFO', id: 4, name: 'nope.txt' }))).to.equal('ERR_NOT_FOUND');
  });

  it('INFO of a known file follows what its name leads to now: a rewrite is described anew, a symlink in its place is refused', async () => {
    const info = async (id: number) => (await answer({ verb: 'INFO', id, name: 'hello.txt' })).answer;
    expect(await info(5)).to.include({ identity: identityOf(small) }); // known since init()
    const longer = Buffer.concat([small, Buffer.from('and more\n')]);
    await appendFile(join(dir, 'hello.txt'), 'and more\n');
    expect(await info(6)).to.include({ size: longer.length, identity: identityOf(longer) });
    await rm(join(dir, 'hello.txt'));
    await symlink(join(dir, 'sub', 'big.txt'), join(dir, 'hello.txt'));
    expect(await codeOf(start({ verb: 'INFO', id: 7, name: 'hello.txt' }))).to.equal('ERR_NOT_FOUND');
  });

  it('GET: streams a range of several read chunks exactly (the log counts what goes out, not the length)', async () => {
    const note: RequestNote = {};
    const offset = 5;
    const length = big.length - 10;
    const reply = await answer({ verb: 'GET', id: 5, name: 'sub/big.txt', offset, length, identity: identityOf(big) }, note);
    expect(reply.answer).to.deep.equal({ kind: 'GET', id: 5, length });
    expect(note.bytes).to.equal(undefined);
    expect((await bytesOf(reply)).equals(big.subarray(offset, offset + length))).to.equal(true);
  });

  it('INFO partial to a crowd: a super-seeding full holder offers some pieces and says complete (not a downloader)', async () => {
    ctx = { ...ctx, superSeed: new SuperSeed() };
    const ask = (client: string) => onRequest(ctx, { verb: 'INFO', id: 9, name: 'sub/big.txt', partial: true }, {}, handles, { client }).then((sink) => sink.finish());
    const lone = (await ask('10.0.0.1')).answer;
    expect(lone.kind === 'INFO' && lone.have, 'a lone downloader is told the whole file').to.equal(undefined);
    const crowd = (await ask('10.0.0.2')).answer;
    expect(crowd.kind === 'INFO' && crowd.have?.includes(0), 'offered only some pieces').to.equal(true);
    expect(crowd.kind === 'INFO' && crowd.complete).to.equal(true);
  });

  it('GET: an empty range at the end of the file', async () => {
    const reply = await answer({ verb: 'GET', id: 6, name: 'hello.txt', offset: small.length, length: 0 });
    expect(reply.answer).to.deep.equal({ kind: 'GET', id: 6, length: 0 });
    expect((await bytesOf(reply)).length).to.equal(0);
  });

  it('GET: refuses a range past the end or over the limit, another version, a missing file', async () => {
    expect(await codeOf(start({ verb: 'GET', id: 7, name: 'hello.txt', offset: 10, length: 5 }))).to.equal('ERR_BAD_RANGE');
    expect(await codeOf(start({ verb: 'GET', id: 8, name: 'hello.txt', offset: 0, length: MAX_RANGE_BYTES + 1 }))).to.equal('ERR_BAD_RANGE');
    expect(await codeOf(start({ verb: 'GET', id: 9, name: 'hello.txt', offset: 0, length: 1, identity: 'f'.repeat(64) }))).to.equal('ERR_CHANGED');
    expect(await codeOf(start({ verb: 'GET', id: 10, name: 'gone.txt', offset: 0, length: 1 }))).to.equal('ERR_NOT_FOUND');
  });

  it('GET: a file that changes while a long range is streamed stops the body with ERR_CHANGED', async () => {
    const reply = await answer({ verb: 'GET', id: 11, name: 'sub/big.txt', offset: 0, length: big.length });
    const chunks = (reply.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const first = await chunks.next();
    expect(first.value?.length).to.equal(SEND_CHUNK);
    await appendFile(join(dir, 'sub', 'big.txt'), 'more');
    expect(await codeOf(chunks.next())).to.equal('ERR_CHANGED');
  });

  it('GET: after a file is replaced, serves the new one, not the open handle', async () => {
    await bytesOf(await answer({ verb: 'GET', id: 12, name: 'hello.txt', offset: 0, length: 5 }));
    await rm(join(dir, 'hello.txt'));
    await writeFiles(dir, { 'hello.txt': 'Howdy, world!\n' });
    expect((await bytesOf(await answer({ verb: 'GET', id: 13, name: 'hello.txt', offset: 0, length: 5 }))).toString()).to.equal('Howdy');
  });

  describe('PUT', () => {
    const text = Buffer.from('new file\n');
    const put = (name: string, data: Buffer, identity = identityOf(data)): Request => ({ verb: 'PUT', id: 20, name, size: data.length, identity });
    const visible = async () => (await readdir(dir)).sort();

    it('stores the body under its name only once all of it has arrived and checked', async () => {
      const note: RequestNote = {};
      const sink = await start(put('new.txt', text), note);
      expect(note.bytes).to.equal(text.length);
      await sink.write(text.subarray(0, 4));
      await sink.write(text.subarray(4));
      expect(await visible()).to.not.include('new.txt');
      expect((await sink.finish()).answer).to.deep.equal({ kind: 'PUT', id: 20, result: 'stored' });
      expect(await readFile(join(dir, 'new.txt'))).to.deep.equal(text);
    });

    it('answers same for a file it already has, and ERR_EXISTS for another version', async () => {
      const same = await start(put('hello.txt', small));
      await same.write(small);
      expect((await same.finish()).answer).to.deep.equal({ kind: 'PUT', id: 20, result: 'same' });
      expect(await codeOf(start(put('hello.txt', text)))).to.equal('ERR_EXISTS');
      expect(await readFile(join(dir, 'hello.txt'))).to.deep.equal(small);
    });

    it('with replace: takes the name and keeps the old version, which VERSIONS then lists', async () => {
      const sink = await start({ ...put('hello.txt', text), replace: true } as Request);
      await sink.write(text);
      expect((await sink.finish()).answer).to.deep.equal({ kind: 'PUT', id: 20, result: 'replaced', kept: identityOf(small) });
      expect(await readFile(join(dir, 'hello.txt'))).to.deep.equal(text);
      expect(await visible()).to.deep.equal(['.txtmesh', 'hello.txt', 'sub']);
      const { answer: listed } = await answer({ verb: 'VERSIONS', id: 21, name: 'hello.txt' });
      expect(listed).to.deep.include({ kind: 'VERSIONS', id: 21 });
      const versions = (listed as unknown as { versions: { identity: string; state: string; size: number }[] }).versions;
      expect(versions.map((v) => [v.state, v.identity, v.size])).to.deep.equal([
        ['current', identityOf(text), text.length],
        ['replaced', identityOf(small), small.length],
      ]);
      const all = (await answer({ verb: 'VERSIONS', id: 22 })).answer as unknown as { versions: { name: string; state: string }[] };
      expect(all.versions.map((v) => `${v.name} ${v.state}`)).to.deep.equal(['hello.txt current', 'hello.txt replaced', 'sub/big.txt current']);
      const none = (await answer({ verb: 'VERSIONS', id: 23, name: 'nothing.txt' })).answer;
      expect(none).to.deep.equal({ kind: 'VERSIONS', id: 23, versions: [] });
    });

    it('with replace, on a server that refuses replacing uploads: ERR_EXISTS, nothing replaced', async () => {
      ctx = { ...ctx, refuseReplace: true };
      expect(await codeOf(start({ ...put('hello.txt', text), replace: true } as Request))).to.equal('ERR_EXISTS');
      expect(await readFile(join(dir, 'hello.txt'))).to.deep.equal(small);
      const same = await start({ ...put('hello.txt', small), replace: true } as Request);
      await same.write(small);
      expect((await same.finish()).answer).to.deep.equal({ kind: 'PUT', id: 20, result: 'same' });
    });

    it('refuses a body that is not what was announced, and leaves nothing', async () => {
      const sink = await start(put('lie.txt', text, identityOf(small)));
      await sink.write(text);
      expect(await codeOf(sink.finish())).to.equal('ERR_UPLOAD_MISMATCH');
      expect(await visible()).to.deep.equal(['hello.txt', 'sub']);
    });

    it('leaves nothing of an upload cut off mid-body', async () => {
      const sink = await start(put('cut.txt', text));
      await sink.write(text.subarray(0, 3));
      await sink.abort();
      expect(await visible()).to.deep.equal(['hello.txt', 'sub']);
    });
  });
});
