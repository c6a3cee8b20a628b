#!/usr/bin/env node
// npm run demo: replays the original design's demonstration, unattended.
// Starts the servers of p1..p5 in example/, runs p5's console with
//   #FILELIST p1 p2 p3 p4
//   #DOWNLOAD hello_world.txt p1
//   #DOWNLOAD lorem_ipsum.txt p2 p3 p4
// checks p5's copies byte for byte, stops the servers and restores example/ for the next run.
// Options: --example DIR (another copy of example/), --quiet-servers (hide server logs).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
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
const say = (line) => process.stdout.write(`\x1b[1m== ${line}\x1b[0m\n`);

if (!existsSync(serverJs) || !existsSync(clientJs)) {
  say('building (npm run build)');
  const build = spawnSync('npm', ['run', 'build'], { cwd: repo, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const peers = ['p1', 'p2', 'p3', 'p4', 'p5'];
const p5Files = join(example, 'p5', 'served_files');
const before = new Set(readdirSync(p5Files));
const servers = [];
let failed = false;

function startServer(id) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [serverJs], { cwd: join(example, id), stdio: ['ignore', 'pipe', 'pipe'] });
    servers.push(child);
    let ready = false;
    const timer = setTimeout(() => reject(new Error(`server ${id} did not start within 10 s`)), 10_000);
    const onLine = (chunk) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        if (!ready && line.includes(' serving ')) {
          ready = true;
          clearTimeout(timer);
          resolvePromise();
        }
        if (!quietServers) process.stdout.write(`\x1b[2m  [${id} server] ${line}\x1b[0m\n`);
      }
    };
    child.stdout.on('data', onLine);
    child.stderr.on('data', onLine);
    child.on('exit', (code) => {
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`server ${id} exited with status ${code} before it was ready`));
      }
    });
  });
}

function runConsole(command) {
  process.stdout.write(`\x1b[1mp5> ${command}\x1b[0m\n`);
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [clientJs], { cwd: join(example, 'p5'), stdio: ['pipe', 'inherit', 'inherit'] });
    child.stdin.end(command + '\n');
    child.on('exit', (code) => resolvePromise(code ?? 1));
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
}

try {
  say(`starting the servers of ${peers.join(', ')} (${example})`);
  await Promise.all(peers.map(startServer));
  const commands = ['#FILELIST p1 p2 p3 p4', '#DOWNLOAD hello_world.txt p1', '#DOWNLOAD lorem_ipsum.txt p2 p3 p4'];
  for (const command of commands) {
    const code = await runConsole(command);
    if (code !== 0) {
      failed = true;
      process.stdout.write(`demo: "${command}" failed with status ${code}\n`);
    }
  }
  say("checking p5's copies byte for byte");
  for (const [name, source] of [['hello_world.txt', 'p1'], ['lorem_ipsum.txt', 'p2']]) {
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
