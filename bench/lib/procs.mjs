// The real programs as child processes: servers, console sessions, helper programs.
// Every child is tracked so that a failing or interrupted benchmark can stop exactly the
// processes it started (by their own pids, never by name).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RequestTally } from './server-log.mjs';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const serverJs = join(repo, 'dist', 'server.js');
export const clientJs = join(repo, 'dist', 'client.js');

const live = new Set();

/** Kills every child still running (SIGKILL, by pid). Synchronous: safe in an 'exit' handler. */
export function killAll() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/**
 * Spawns a program, inside a network namespace if `netns` is given. `ip netns exec` execs the
 * command, so the child's pid is the program's own (for /proc/<pid>/status and kill).
 */
export function spawnProgram(command, args, { cwd, netns } = {}) {
  const options = { cwd, stdio: 'pipe' };
  const child = netns ? spawn('ip', ['netns', 'exec', netns, command, ...args], options) : spawn(command, args, options);
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child)); // e.g. not installed: the caller sees the exit
  child.stdin.on('error', () => undefined); // a child that died early must not crash the driver
  return child;
}

/** Spawns `node [nodeArgs] args…` (see spawnProgram). */
export function spawnNode(args, { cwd, netns, nodeArgs = [] } = {}) {
  return spawnProgram(process.execPath, [...nodeArgs, ...args], { cwd, netns });
}

/** Lines of a stream, with "wait for a line matching …" from a given index on. */
export class LineReader {
  lines = [];
  closed = false;
  #waiters = new Set();

  constructor(stream) {
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (line) => {
      this.lines.push(line);
      this.#check();
    });
    rl.on('close', () => {
      this.closed = true;
      this.#check();
    });
  }

  /** Resolves with the index of the first line at or after `from` that matches. */
  waitFor(match, from, timeoutMs, describe = () => '') {
    return new Promise((resolve, reject) => {
      const waiter = { match, from, resolve, reject, timer: undefined };
      waiter.timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(Object.assign(new Error(`timed out after ${timeoutMs} ms${describe()}`), { timedOut: true }));
      }, timeoutMs);
      this.#waiters.add(waiter);
      this.#check();
    });
  }

  #check() {
    for (const waiter of this.#waiters) {
      // Scan only new lines: a waiter remembers how far it has looked.
      for (; waiter.from < this.lines.length; waiter.from++) {
        if (waiter.match(this.lines[waiter.from])) {
          clearTimeout(waiter.timer);
          this.#waiters.delete(waiter);
          waiter.resolve(waiter.from);
          break;
        }
      }
      if (this.#waiters.has(waiter) && this.closed) {
        clearTimeout(waiter.timer);
        this.#waiters.delete(waiter);
        waiter.reject(new Error('the process closed its output'));
      }
    }
  }
}

function collect(stream) {
  const chunks = [];
  stream.on('data', (c) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? 128);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
}

/** Stops a child: SIGTERM (or `signal`), then SIGKILL after `graceMs`. Resolves with its exit code. */
export async function stop(child, signal = 'SIGTERM', graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? 128;
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  child.kill(signal);
  const code = await exited(child);
  clearTimeout(timer);
  return code;
}

/** Peak resident set size (VmHWM) of a live process, in bytes. */
export function peakRss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/**
 * Starts `node dist/server.js --log-format json` in a peer folder and waits for its "serving …
 * on host:port" line (on stderr, with a JSON log). Resolves with the child, its pid, the port it
 * listens on and `tally`, the running totals of its request log (server-log.mjs).
 */
export async function startServer({ peerDir, netns, args = [], nodeArgs = [] }) {
  const child = spawnNode([serverJs, '--log-format', 'json', ...args], { cwd: peerDir, netns, nodeArgs });
  const tally = new RequestTally(child.stdout);
  const errLines = new LineReader(child.stderr);
  const err = () => errLines.lines.join('\n');
  let index;
  try {
    index = await errLines.waitFor((l) => / serving .* on /.test(l), 0, 15_000, () => `; stderr: ${err()}`);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`server in ${peerDir} did not start: ${e.message}`);
  }
  const port = Number(/:(\d+)$/.exec(errLines.lines[index])?.[1]);
  const server = { label: peerDir, child, pid: child.pid, port, tally, stopping: false, stop: () => ((server.stopping = true), stop(child)) };
  servers.add(server);
  child.once('exit', (code, signal) => {
    // A server that stops before we stop it is news: keep what it said.
    if (!server.stopping) died.push(`server ${peerDir} exited by itself (${signal ?? `status ${code}`}); stderr: ${err().trim().slice(-2000) || '(empty)'}`);
    servers.delete(server);
  });
  return server;
}

const servers = new Set();
const died = [];

/** Servers that exited without being asked to (since the last call), with their last words. */
export function unexpectedExits() {
  return died.splice(0);
}

// Not a command: the console answers it with one line, "error: unknown command …" (so a
// session's exit status is 1; the benchmark does not use it).
const SENTINEL = '#TXTMESH-BENCH-MARK';
const isSentinelOutput = (line) => line.includes(SENTINEL);

/**
 * A console (`node dist/client.js`) fed through a pipe, as a user would script it. Each
 * command is followed by a marker line: the console runs lines one after another, so the
 * marker's answer appearing marks the end of the command's output, and the time until then
 * is the command's time (the process's start-up is not counted).
 */
export class ConsoleSession {
  #out;
  #err;

  constructor(child) {
    this.child = child;
    this.pid = child.pid;
    this.#out = new LineReader(child.stdout);
    this.#err = collect(child.stderr);
  }

  /** Starts a console in a peer folder and waits until it answers. */
  static async open({ peerDir, netns, trace, args = [], nodeArgs = [] }) {
    const extra = trace ? ['--trace', trace, ...args] : args;
    const session = new ConsoleSession(spawnNode([clientJs, ...extra], { cwd: peerDir, netns, nodeArgs }));
    await session.run('', { timeoutMs: 15_000 });
    return session;
  }

  /**
   * Runs one command (or several lines) and waits for all of its output.
   * @returns {Promise<{ms: number, lines: string[]}>}
   */
  async run(command, { timeoutMs = 600_000 } = {}) {
    const from = this.#out.lines.length;
    const started = performance.now();
    this.child.stdin.write(`${command}\n${SENTINEL}\n`);
    const index = await this.#out.waitFor(isSentinelOutput, from, timeoutMs, () => this.#tail(from));
    const ms = performance.now() - started;
    const lines = this.#out.lines.slice(from, index);
    this.#out.lines.length = 0; // the next command's output starts afresh; nothing piles up
    return { ms, lines };
  }

  /** Peak RSS of the console process so far, in bytes. */
  peakRss() {
    return peakRss(this.pid);
  }

  /** Ends the input (the console exits at end of input); resolves with the exit code. */
  async close() {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const code = await exited(this.child);
    clearTimeout(timer);
    return code;
  }

  kill() {
    this.child.kill('SIGKILL');
    return exited(this.child);
  }

  #tail(from) {
    const out = this.#out.lines.slice(Math.max(from, this.#out.lines.length - 5)).join(' | ');
    return `; last output: ${out || '(none)'}; stderr: ${this.#err().trim().slice(-500) || '(none)'}`;
  }
}

/**
 * A helper program that prints "ready", waits for a line on stdin, does its job and prints
 * "done <json>" (bench/static-split.mjs, bench/tcp-copy.mjs). Timed from "go" to "done", like
 * a console command.
 */
export async function runGoDone(args, { cwd, netns, timeoutMs = 600_000 } = {}) {
  const child = spawnNode(args, { cwd, netns });
  const out = new LineReader(child.stdout);
  const err = collect(child.stderr);
  const describe = () => `; stderr: ${err().trim().slice(-500)}`;
  try {
    await out.waitFor((l) => l === 'ready', 0, 15_000, describe);
    const started = performance.now();
    child.stdin.write('go\n');
    const index = await out.waitFor((l) => l.startsWith('done'), 0, timeoutMs, describe);
    const ms = performance.now() - started;
    child.stdin.end();
    const code = await exited(child);
    if (code !== 0) throw new Error(`${args[0]} exited with ${code}${describe()}`);
    return { ms, result: JSON.parse(out.lines[index].slice(4) || '{}') };
  } finally {
    child.kill('SIGKILL');
  }
}

/**
 * Runs a program to its end, with `input` written to its stdin at once (as `printf … |` would),
 * timed from spawn to exit: the time a user waits.
 * @returns {Promise<{ms: number, code: number, stdout: string, stderr: string}>}
 */
export async function runToExit(command, args, { cwd, netns, input = '', timeoutMs = 900_000 } = {}) {
  const started = performance.now();
  const child = spawnProgram(command, args, { cwd, netns });
  child.stdin.end(input);
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await exited(child);
  const ms = performance.now() - started;
  clearTimeout(timer);
  return { ms, code, stdout: stdout(), stderr: stderr() };
}
