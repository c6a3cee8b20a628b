// The anchors txtmesh is compared with in the same run: nginx serving the same file, aria2c
// downloading it over HTTP from several nginx at once. Both are Debian packages (aria2,
// nginx-light); where one is missing the scenario prints a SKIP row and goes on.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acceptsAt } from './net.mjs';
import { spawnProgram, stop } from './procs.mjs';

const PACKAGES = { aria2c: 'aria2', nginx: 'nginx-light', opentracker: 'opentracker', mktorrent: 'mktorrent' };
const VERSION_ARGS = { nginx: ['-v'], opentracker: ['-h'], mktorrent: ['-h'] };

/** Why `commands` cannot all be run here ("aria2c is not installed (…)"), or undefined. */
export function missing(...commands) {
  for (const cmd of commands) {
    const r = spawnSync(cmd, VERSION_ARGS[cmd] ?? ['--version'], { stdio: 'ignore' });
    if (r.error) return `${cmd} is not installed (apt-get install ${PACKAGES[cmd] ?? cmd})`;
  }
  return undefined;
}

/**
 * One nginx (a single foreground process, so it is tracked and killed like any child) serving
 * the files of `root` on host:port, in namespace `netns` if given. Its access log records the
 * body bytes each response really sent.
 */
export async function startNginx({ root, host, port, stateDir, netns, pollMs = 10 }) {
  mkdirSync(join(stateDir, 'tmp'), { recursive: true });
  const log = join(stateDir, 'access.log');
  writeFileSync(log, '');
  const temp = join(stateDir, 'tmp');
  const conf = join(stateDir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
pid ${join(stateDir, 'nginx.pid')};
error_log ${join(stateDir, 'error.log')} warn;
events { worker_connections 256; }
http {
  log_format sent '$body_bytes_sent';
  access_log ${log} sent;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  client_body_temp_path ${temp}; proxy_temp_path ${temp}; fastcgi_temp_path ${temp};
  uwsgi_temp_path ${temp}; scgi_temp_path ${temp};
  default_type text/plain;
  server { listen ${host}:${port}; root ${root}; }
}
`,
  );
  const child = spawnProgram('nginx', ['-c', conf, '-p', stateDir, '-e', join(stateDir, 'error.log')], { netns });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    await acceptsAt(host, port, { netns, everyMs: pollMs, timeoutMs: 10_000 });
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`nginx on ${host}:${port} did not start: ${err.message} ${stderr}`);
  }
  return {
    url: (name) => `http://${host}:${port}/${name}`,
    /** Body bytes sent in every response so far. */
    bytesSent: () => readFileSync(log, 'utf8').split('\n').filter(Boolean).reduce((n, l) => n + Number(l), 0),
    stop: () => stop(child, 'SIGQUIT'),
  };
}

/** aria2c's options for every HTTP download here (issue 11), plus quiet output. */
export const ARIA2_HTTP = ['-s3', '-x1', '--file-allocation=falloc', '--enable-mmap=true'];
const QUIET = ['--no-conf', '--console-log-level=warn', '--summary-interval=0', '--download-result=hide', '--show-console-readout=false'];

/**
 * `aria2c [options] URL…` into dir/out, timed from spawn to exit, in `netns` if given.
 * @returns {Promise<{ms: number}>}
 */
export async function aria2Download({ urls, dir, out, options = [], netns, timeoutMs = 600_000 }) {
  const args = [...ARIA2_HTTP, ...options, ...QUIET, '--allow-overwrite=false', '--auto-file-renaming=false', '-d', dir, '-o', out, ...urls];
  const started = performance.now();
  const child = spawnProgram('aria2c', args, { netns });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? signal)));
  const ms = performance.now() - started;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`aria2c exited with ${code}: ${output.trim().slice(-500)}`);
  return { ms };
}
