/**
 * Is this process in the foreground of its terminal? A background job (`txtmesh-server &`)
 * that touches the terminal is stopped by the shell's job control (SIGTTOU/SIGTTIN), so the
 * server console only starts in the foreground.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** True when the process group is the terminal's foreground group, or when it cannot be told. */
export function inForeground(): boolean {
  const ids = fromProc() ?? fromPs();
  return ids === undefined || ids.pgrp === ids.tpgid;
}

/** Linux: /proc/self/stat has pgrp and tpgid (fields 5 and 8, after the parenthesized name). */
function fromProc(): { pgrp: string; tpgid: string } | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [pgrp, tpgid] = [fields[2], fields[5]];
    return pgrp && tpgid ? { pgrp, tpgid } : undefined;
  } catch {
    return undefined;
  }
}

/** Elsewhere (macOS, BSD): ps knows both. */
function fromPs(): { pgrp: string; tpgid: string } | undefined {
  const ps = spawnSync('ps', ['-o', 'pgid=,tpgid=', '-p', String(process.pid)], { encoding: 'utf8', timeout: 2000 });
  const [pgrp, tpgid] = (ps.stdout ?? '').trim().split(/\s+/);
  return ps.status === 0 && pgrp && tpgid ? { pgrp, tpgid } : undefined;
}
