#!/usr/bin/env node
// Where the time goes in sequential downloads of small files (bench scenario 5): one server
// with N files of 4 KiB, one console downloading M of them one after another; both run under
// `node --cpu-prof` (profiles in bench/profiles/, not committed) unless --no-prof.
//
//   node bench/profile-small.mjs [--files N] [--downloads M] [--rounds R] [--no-prof] [--top K]
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { formatSummary, summarizeProfile } from './cpuprofile-summary.mjs';
import { Mesh, benchRoot, randomText } from './lib/files.mjs';
import { ConsoleSession, startServer } from './lib/procs.mjs';
import { profileRun } from './lib/profiling.mjs';

const { values: args } = parseArgs({ options: { files: { type: 'string', default: '2000' }, downloads: { type: 'string', default: '500' }, rounds: { type: 'string', default: '3' }, 'no-prof': { type: 'boolean', default: false }, top: { type: 'string', default: '25' }, out: { type: 'string' } } });
const files = Number(args.files);
const downloads = Number(args.downloads);
const out = profileRun(args.out);

const prof = (name) => (args['no-prof'] ? [] : ['--cpu-prof', '--cpu-prof-dir', out, '--cpu-prof-name', name]);
const mesh = new Mesh(benchRoot('profile-small'), ['p1', 'd'].map((id) => ({ id, host: '127.0.0.1', port: 1 })));
const fileName = (i) => `f${String(i).padStart(5, '0')}.txt`;
for (let i = 0; i < files; i++) writeFileSync(join(mesh.served('p1'), fileName(i)), randomText(4096));
const server = await startServer({ peerDir: mesh.dir('p1'), args: ['--host', '127.0.0.1', '--port', '0'], nodeArgs: prof('server.cpuprofile') });
mesh.setPort('p1', server.port);
const session = await ConsoleSession.open({ peerDir: mesh.dir('d'), nodeArgs: prof('client.cpuprofile') });
await session.run('#FILELIST p1');
const windows = [];
// CPU seconds (user + system, every thread) of a process so far, from /proc.
const cpu = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
for (let round = 0; round < Number(args.rounds); round++) {
  const batch = Array.from({ length: downloads }, (_, i) => `#DOWNLOAD ${fileName(i)} p1`).join('\n');
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const cpuBefore = [cpu(session.pid), cpu(server.pid)];
  const { ms, lines } = await session.run(batch);
  const [clientCpu, serverCpu] = [cpu(session.pid) - cpuBefore[0], cpu(server.pid) - cpuBefore[1]];
  windows.push({ fromUs, toUs: Number(process.hrtime.bigint() / 1000n) });
  const ok = lines.filter((l) => l.startsWith('Downloaded ')).length;
  process.stdout.write(`round ${round + 1}: ${ok}/${downloads} in ${(ms / 1000).toFixed(2)} s = ${(downloads / (ms / 1000)).toFixed(0)} files/s; CPU per download: client ${((clientCpu / downloads) * 1000).toFixed(2)} ms, server ${((serverCpu / downloads) * 1000).toFixed(2)} ms\n`);
  if (ok !== downloads) process.stdout.write(`${lines.filter((l) => !l.startsWith('Downloaded ')).slice(0, 5).join('\n')}\n`);
  for (let i = 0; i < downloads; i++) rmSync(join(mesh.served('d'), fileName(i)));
}
await session.close();
await server.stop();
if (!args['no-prof']) {
  const last = windows.at(-1);
  for (const name of ['client', 'server']) {
    const file = join(out, `${name}.cpuprofile`);
    const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), last);
    process.stdout.write(`\n== ${name}: top functions by self time in the last round (${relative(process.cwd(), file)})\n${formatSummary(summary, Number(args.top))}\n`);
  }
}
process.exit(0);
