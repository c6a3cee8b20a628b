#!/usr/bin/env node
// npm run bench:profile [-- --size MiB] [--out DIR]
//
// Where the time goes in a loopback download from three peers: the client and server p1 run
// under `node --cpu-prof`; the profiles land in bench/profiles/ (not committed), and the top
// functions by self time are printed for the download alone (samples outside it, such as the
// servers hashing the file on warm-up or module loading, are left out).
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { formatSummary, summarizeProfile } from './cpuprofile-summary.mjs';
import { Mesh, benchRoot, writeTextFile } from './lib/files.mjs';
import { verifyAndRemove } from './lib/measure.mjs';
import { ConsoleSession } from './lib/procs.mjs';
import { profileRun } from './lib/profiling.mjs';
import { loopbackServers, warm } from './scenarios/loopback.mjs';

const { values: args } = parseArgs({ options: { size: { type: 'string', default: '512' }, out: { type: 'string' }, top: { type: 'string', default: '15' } } });
const size = Number(args.size) * 1024 * 1024;
const out = profileRun(args.out);

const prof = (name) => ['--cpu-prof', '--cpu-prof-dir', out, '--cpu-prof-name', name];
const ids = ['p1', 'p2', 'p3'];
const mesh = new Mesh(benchRoot('profile'), [...ids, 'd'].map((id) => ({ id, host: '127.0.0.1', port: 1 })));
const source = join(mesh.served('p1'), 'big.txt');
process.stdout.write(`generating ${args.size} MiB of text\n`);
const sha = writeTextFile(source, size);
mesh.share(source, 'big.txt', ids);
const servers = [
  ...(await loopbackServers(mesh, ['p1'], { nodeArgs: prof('server-p1.cpuprofile') })),
  ...(await loopbackServers(mesh, ['p2', 'p3'])),
];
await warm(mesh, 'd', ids);

const session = await ConsoleSession.open({ peerDir: mesh.dir('d'), nodeArgs: prof('client.cpuprofile') });
const fromUs = Number(process.hrtime.bigint() / 1000n);
const { ms, lines } = await session.run('#DOWNLOAD big.txt p1 p2 p3');
const toUs = Number(process.hrtime.bigint() / 1000n);
await session.close();
for (const s of servers) await s.stop();
process.stdout.write(`${lines.join('\n')}\ncommand time ${(ms / 1000).toFixed(2)} s\n`);
await verifyAndRemove(join(mesh.served('d'), 'big.txt'), sha, 'profiled download');

for (const name of ['client', 'server-p1']) {
  const file = join(out, `${name}.cpuprofile`);
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), { fromUs, toUs });
  process.stdout.write(`\n== ${name}: top functions by self time during the download (${relative(process.cwd(), file)})\n${formatSummary(summary, Number(args.top))}\n`);
}
process.exit(0);
