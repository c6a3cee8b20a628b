#!/usr/bin/env node
// The loopback baseline: a plain Node copy of a file over one TCP socket to disk, with Node's
// default stream settings (read stream → socket → write stream, fsync before close). No
// protocol, no hashing: the practical ceiling for one stream on this machine.
//
//   node bench/tcp-copy.mjs send FILE [HOST]         listen on HOST (default 127.0.0.1, any port),
//                                                   print "port N", send FILE to the first
//                                                   connection, then exit
//   node bench/tcp-copy.mjs receive PORT OUT [HOST]  print "ready", wait for one line on stdin,
//                                                   copy from HOST:PORT into OUT, print "done
//                                                   {bytes, receivedMs}" (receivedMs: until the
//                                                   last byte arrived)
import { createReadStream, createWriteStream } from 'node:fs';
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';

const [mode, a, b, c] = process.argv.slice(2);
if (mode === 'send' && a) {
  const server = createServer(async (socket) => {
    server.close();
    await pipeline(createReadStream(a), socket);
  });
  server.listen(0, b ?? '127.0.0.1', () => process.stdout.write(`port ${server.address().port}\n`));
} else if (mode === 'receive' && a && b) {
  process.stdout.write('ready\n');
  await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
  const started = performance.now();
  const socket = connect({ host: c ?? '127.0.0.1', port: Number(a) });
  let receivedMs = 0;
  socket.once('end', () => (receivedMs = performance.now() - started));
  const out = createWriteStream(b, { flush: true }); // flush: fsync before close, as txtmesh does
  await pipeline(socket, out);
  process.stdout.write(`done ${JSON.stringify({ bytes: out.bytesWritten, receivedMs })}\n`);
} else {
  process.stderr.write('usage: tcp-copy.mjs send FILE [HOST] | receive PORT OUT [HOST]\n');
  process.exit(2);
}
