/**
 * A small lab of Linux network namespaces for multi-host tests: a client namespace holding a
 * bridge, and one namespace per server host joined to it by a veth pair, each with its own
 * address and optionally a tbf-capped egress. Nothing is added to the root namespace and no
 * route leaves the lab, so traffic only ever goes to hosts this lab made.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

export interface LabHost {
  readonly ns: string;
  readonly address: string;
}

const SUBNET = '10.98.0';

/** Why the lab cannot run here, or undefined if it can. */
export function labUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    execFileSync('tc', ['-V'], { stdio: 'ignore' });
  } catch {
    return '`ip netns` or `tc` is not available';
  }
  return undefined;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export class Lab {
  readonly client: LabHost;
  readonly servers: LabHost[] = [];
  readonly #prefix: string;
  readonly #namespaces: string[] = [];
  readonly #children = new Set<ChildProcess>();

  constructor(prefix = `tmt${process.pid}`) {
    this.#prefix = prefix;
    this.client = { ns: `${prefix}c`, address: `${SUBNET}.1` };
  }

  /** Creates the client namespace and `rates.length` server hosts (rate 'none' = uncapped). */
  up(rates: string[]): void {
    const cli = this.client.ns;
    ip('netns', 'add', cli);
    this.#namespaces.push(cli);
    ip('-n', cli, 'link', 'set', 'lo', 'up');
    ip('-n', cli, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', cli, 'addr', 'add', `${this.client.address}/24`, 'dev', 'br0');
    ip('-n', cli, 'link', 'set', 'br0', 'up');
    rates.forEach((rate, i) => {
      const ns = `${this.#prefix}s${i + 1}`;
      const address = `${SUBNET}.${11 + i}`;
      ip('netns', 'add', ns);
      this.#namespaces.push(ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('link', 'add', `vs${i + 1}`, 'netns', cli, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      ip('-n', cli, 'link', 'set', `vs${i + 1}`, 'master', 'br0');
      ip('-n', cli, 'link', 'set', `vs${i + 1}`, 'up');
      ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      if (rate !== 'none') {
        execFileSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', 'tbf', 'rate', rate, 'burst', '64kb', 'latency', '100ms']);
      }
      this.servers.push({ ns, address });
    });
    for (const host of this.servers) this.#waitReachable(host.address);
  }

  /** Takes a server host's link down (or up again). */
  link(host: LabHost, state: 'up' | 'down'): void {
    ip('-n', host.ns, 'link', 'set', 'eth0', state);
  }

  /** Starts a process inside a namespace; it is killed by down(). */
  spawn(host: LabHost, command: string, args: string[], cwd: string): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', host.ns, command, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#children.add(child);
    child.on('exit', () => this.#children.delete(child));
    return child;
  }

  /** Kills every process started here and deletes every namespace. Safe to call twice. */
  down(): void {
    for (const child of this.#children) child.kill('SIGKILL');
    for (const ns of this.#namespaces.splice(0).reverse()) {
      try {
        const pids = execFileSync('ip', ['netns', 'pids', ns]).toString().split('\n').filter(Boolean);
        for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
  }

  /**
   * Waits until the client namespace reaches `address`: a TCP connect to a closed port that is
   * refused (RST) proves the path works, without needing ping on the machine.
   */
  #waitReachable(address: string): void {
    const probe = `const s=require('net').connect(9,'${address}');s.setTimeout(300,()=>process.exit(1));s.on('connect',()=>process.exit(0));s.on('error',e=>process.exit(e.code==='ECONNREFUSED'?0:1));`;
    for (let i = 0; i < 50; i++) {
      try {
        execFileSync('ip', ['netns', 'exec', this.client.ns, process.execPath, '-e', probe], { stdio: 'ignore' });
        return;
      } catch {
        execFileSync('sleep', ['0.1']);
      }
    }
    throw new Error(`lab host ${address} is not reachable`);
  }
}
