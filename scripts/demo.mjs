#!/usr/bin/env node
// npm run demo: replays the original design's demonstration, unattended.
// Starts the servers of p1..p5 in example/, runs p5's console with
//   #FILELIST p1 p2 p3 p4
//   #DOWNLOAD hello_world.txt p1
//   #DOWNLOAD lorem_ipsum.txt p2 p3 p4
// checks p5's copies byte for byte, stops the servers and restores example/ for the next run.
// Files an earlier hand run left in p5 are moved aside for the demo and put back after it, so
// the downloads really happen (a download that only says "Already have" fails the demo).
// Options: --example DIR (another copy of example/), --quiet-servers (hide server logs; a server
// that cannot start still shows why). Colour only on a terminal, and never with NO_COLOR set.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? resolve(args[i + 1]) : fallback;
};
if (flag('--help')) {
  console.log('usage: npm run demo [-- --example DIR] [--quiet-servers]');
  process.exit(0);
}
const example = value('--example', join(repo, 'example'));
const quietServers = flag('--quiet-servers');
const serverJs = join(repo, 'dist', 'server.js');
const clientJs = join(repo, 'dist', 'client.js');
const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const say = (line) => process.stdout.write(paint(1, `== ${line}`) + '\n');

if (!existsSync(serverJs) || !existsSync(clientJs)) {
  say('building (npm run build)');
  const build = spawnSync('npm', ['run', 'build'], { cwd: repo, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const peers = ['p1', 'p2', 'p3', 'p4', 'p5'];
const fetched = ['hello_world.txt', 'lorem_ipsum.txt'];
const p5Files = join(example, 'p5', 'served_files');
// Copies p5 has from an earlier run: kept aside while the demo runs, put back after it.
const aside = mkdtempSync(join(tmpdir(), 'txtmesh-demo-'));
const leftovers = fetched.filter((name) => existsSync(join(p5Files, name)));
for (const name of leftovers) renameSync(join(p5Files, name), join(aside, name));
const before = new Set(readdirSync(p5Files));
const servers = [];
let failed = false;

function startServer(id) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [serverJs], { cwd: join(example, id), stdio: ['ignore', 'pipe', 'pipe'] });
    servers.push(child);
    let ready = false;
    const said = [];
    const timer = setTimeout(() => reject(new Error(`server ${id} did not start within 10 s`)), 10_000);
    const onLine = (chunk) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        if (!ready && line.includes(' serving ')) {
          ready = true;
          clearTimeout(timer);
          resolvePromise();
        }
        if (!ready) said.push(line);
        if (!quietServers) process.stdout.write(paint(2, `  [${id} server] ${line}`) + '\n');
      }
    };
    child.stdout.on('data', onLine);
    child.stderr.on('data', onLine);
    child.on('exit', (code) => {
      if (!ready) {
        clearTimeout(timer);
        // Why it stopped (a port in use, bad settings), even with --quiet-servers.
        const why = said.filter((l) => !l.includes('txtmesh-server: mesh is')).join('; ');
        reject(new Error(`server ${id} exited with status ${code} before it was ready${why ? `: ${why}` : ''}`));
      }
    });
  });
}

/** Runs one console command in p5, showing its output; resolves with its status and output. */
function runConsole(command) {
  process.stdout.write(paint(1, `p5> ${command}`) + '\n');
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [clientJs], { cwd: join(example, 'p5'), stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
      process.stdout.write(d);
    });
    child.stdin.end(command + '\n');
    child.on('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

function stopServers() {
  return Promise.all(
    servers.map((child) => new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    })),
  );
}

function restore() {
  for (const name of readdirSync(p5Files)) {
    if (!before.has(name)) rmSync(join(p5Files, name), { recursive: true, force: true });
  }
  for (const name of leftovers) renameSync(join(aside, name), join(p5Files, name));
  rmSync(aside, { recursive: true, force: true });
}

try {
  say(`starting the servers of ${peers.join(', ')} (${example})`);
  await Promise.all(peers.map(startServer));
  const commands = ['#FILELIST p1 p2 p3 p4', '#DOWNLOAD hello_world.txt p1', '#DOWNLOAD lorem_ipsum.txt p2 p3 p4'];
  if (leftovers.length > 0) say(`p5 had ${leftovers.join(', ')} from an earlier run: kept aside until the demo ends`);
  for (const command of commands) {
    const { code, output } = await runConsole(command);
    if (code !== 0) {
      failed = true;
      process.stdout.write(`demo: "${command}" failed with status ${code}\n`);
    } else if (command.startsWith('#DOWNLOAD') && !output.includes('Downloaded ')) {
      failed = true;
      process.stdout.write(`demo: "${command}" downloaded nothing\n`);
    }
  }
  say("checking p5's copies byte for byte");
  for (const [name, source] of fetched.map((n, i) => [n, i === 0 ? 'p1' : 'p2'])) {
    const copy = join(p5Files, name);
    const same = existsSync(copy) && readFileSync(copy).equals(readFileSync(join(example, source, 'served_files', name)));
    process.stdout.write(`  ${name}: ${same ? `identical to ${source}'s copy` : 'MISSING OR DIFFERENT'}\n`);
    if (!same) failed = true;
  }
} catch (err) {
  failed = true;
  process.stdout.write(`demo: ${err.message}\n`);
} finally {
  say('stopping the servers and restoring example/');
  await stopServers();
  restore();
}
say(failed ? 'demo FAILED' : 'demo passed');
process.exit(failed ? 1 : 0);
