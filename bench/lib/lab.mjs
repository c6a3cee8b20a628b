// The namespace lab shared by the netns tests (test/netns/) and the benchmark (bench/): Linux
// network namespaces joined by a bridge, each link capped with tbf in both directions.
//
//   <prefix>c    the hub: bridge br0 at <subnet>.1, itself a host (the downloading host of the
//                capped scenarios and tests)
//   <prefix>sI   host I: eth0 at <subnet>.(10+I), a veth pair to port vsI of the hub's bridge
//
// Link I is capped on hostI's eth0 egress (what host I sends: its uplink) and on vsI's egress in
// the hub (what host I receives: its downlink); "none" leaves a link uncapped. Nothing is added
// to the root namespace and no route leaves the lab, so traffic only reaches hosts it made.
// The prefix is a tag and this process's pid (tmt12345): labs of concurrent runs never meet,
// and up() removes the leftovers of runs that died (their pid is gone) before building.
// tc units: "mbit" = 10^6 bit/s; tbf counts L2 bytes, so TCP goodput is ~95.6% of the rate.
import { execFileSync, spawn } from 'node:child_process';

const TBF = ['burst', '64kb', 'latency', '100ms'];

function ip(...args) {
  return execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

function nsExec(ns, command, ...args) {
  return execFileSync('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/** Why the lab cannot be built here, or undefined if it can. */
export function labUnavailable() {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root (ip netns, tc)';
  for (const [cmd, args] of [['ip', ['netns', 'list']], ['tc', ['-V']]]) {
    try {
      execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      if (err.code === 'ENOENT') return `${cmd} is not installed (apt-get install iproute2)`;
      return `${cmd} ${args.join(' ')} failed: ${String(err.stderr ?? err.message).trim()}`;
    }
  }
  return undefined;
}

function namespaces() {
  return ip('netns', 'list')
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter(Boolean);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Kills what runs inside a namespace (exact pids: only processes a lab started live there), then deletes it. */
function removeNamespace(ns) {
  try {
    for (const pid of ip('netns', 'pids', ns).split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
  } catch {
    // no such namespace, or the process is already gone
  }
  try {
    ip('netns', 'del', ns); // deleting a namespace destroys its veth ends and the bridge
  } catch {
    // already gone
  }
}

export class Lab {
  /** @type {{ns: string, address: string}} */
  client;
  /** @type {{ns: string, address: string}[]} */
  servers = [];
  #tag;
  #prefix;
  #subnet;
  #namespaces = [];
  #children = new Set();
  #rates = new Map();

  /**
   * @param {{tag?: string, subnet?: string}} options tag: a few letters naming the lab's user
   *   ("tmt" tests, "tmb" bench); subnet: the first three octets of the lab's addresses
   */
  constructor({ tag = 'tmt', subnet = '10.98.0' } = {}) {
    if (!/^[a-z]{1,5}$/.test(tag)) throw new TypeError(`Lab tag must be 1-5 lowercase letters, got ${JSON.stringify(tag)}`);
    this.#tag = tag;
    this.#prefix = `${tag}${process.pid}`;
    this.#subnet = subnet;
    this.client = { ns: `${this.#prefix}c`, address: `${subnet}.1` };
  }

  /** Builds the hub and one host per rate ("80mbit", or "none": uncapped). */
  up(rates) {
    if (rates.length < 1 || rates.length > 200) throw new RangeError(`a lab has 1 to 200 hosts, not ${rates.length}`);
    Lab.removeStale(this.#tag);
    try {
      this.#addHub();
      rates.forEach((rate, i) => this.#addHost(i + 1, rate));
      for (const host of this.servers) this.#waitReachable(host.address);
    } catch (err) {
      this.down();
      throw err;
    }
  }

  /** Caps a host's link at `rate` in both directions ("none": uncapped). */
  setRate(host, rate) {
    const i = this.#index(host);
    if (this.#rates.get(i) === rate) return;
    this.#shape(host.ns, 'eth0', rate);
    this.#shape(this.client.ns, `vs${i}`, rate);
    this.#rates.set(i, rate);
  }

  /** The rate a host's link is capped at, as given to up() or setRate(). */
  rate(host) {
    return this.#rates.get(this.#index(host));
  }

  /** Takes a host's link down (or up again). */
  link(host, state) {
    ip('-n', host.ns, 'link', 'set', 'eth0', state);
  }

  /** Bytes sent and received so far on a host's eth0 (frames, headers included). */
  counters(host) {
    const [link] = JSON.parse(ip('-n', host.ns, '-j', '-s', 'link', 'show', 'dev', 'eth0'));
    return { txBytes: link.stats64.tx.bytes, rxBytes: link.stats64.rx.bytes };
  }

  /** Starts a process inside a host's namespace (`ip netns exec` execs it: the pid is its own); down() kills it. */
  spawn(host, command, args, options = {}) {
    const child = spawn('ip', ['netns', 'exec', host.ns, command, ...args], { stdio: 'pipe', ...options });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /** Kills every process in the lab and deletes its namespaces. Synchronous (safe in an 'exit' handler); safe twice. */
  down() {
    for (const child of this.#children) child.kill('SIGKILL');
    this.#children.clear();
    for (const ns of this.#namespaces.splice(0).reverse()) removeNamespace(ns);
    this.servers = [];
    this.#rates.clear();
  }

  /** Removes the namespaces of labs with this tag whose process has died (a killed run's leftovers). */
  static removeStale(tag) {
    const pattern = new RegExp(`^${tag}(\\d+)(c|s\\d+)$`);
    for (const ns of namespaces()) {
      const m = pattern.exec(ns);
      if (m && !alive(Number(m[1]))) removeNamespace(ns);
    }
  }

  #addHub() {
    const hub = this.client.ns;
    ip('netns', 'add', hub);
    this.#namespaces.push(hub);
    ip('-n', hub, 'link', 'set', 'lo', 'up');
    ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', hub, 'addr', 'add', `${this.client.address}/24`, 'dev', 'br0');
    ip('-n', hub, 'link', 'set', 'br0', 'up');
  }

  #addHost(i, rate) {
    const hub = this.client.ns;
    const host = { ns: `${this.#prefix}s${i}`, address: `${this.#subnet}.${10 + i}` };
    ip('netns', 'add', host.ns);
    this.#namespaces.push(host.ns);
    ip('-n', host.ns, 'link', 'set', 'lo', 'up');
    // Both veth ends are made inside the lab's namespaces: no name is taken in the root one.
    ip('link', 'add', `vs${i}`, 'netns', hub, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns);
    ip('-n', hub, 'link', 'set', `vs${i}`, 'master', 'br0');
    ip('-n', hub, 'link', 'set', `vs${i}`, 'up');
    ip('-n', host.ns, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0');
    ip('-n', host.ns, 'link', 'set', 'eth0', 'up');
    this.servers.push(host);
    this.setRate(host, rate);
  }

  #shape(ns, dev, rate) {
    if (rate === 'none') {
      try {
        nsExec(ns, 'tc', 'qdisc', 'del', 'dev', dev, 'root');
      } catch {
        // no qdisc to remove
      }
      return;
    }
    nsExec(ns, 'tc', 'qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', rate, ...TBF);
  }

  #index(host) {
    const i = this.servers.findIndex((h) => h.ns === host.ns);
    if (i < 0) throw new Error(`${host.ns} is not a host of this lab`);
    return i + 1;
  }

  /**
   * Waits until the hub reaches `address`: a TCP connect to a closed port that is refused (RST)
   * proves the path works both ways, without needing ping on the machine.
   */
  #waitReachable(address) {
    const probe = `exec 3<>/dev/tcp/${address}/9`;
    for (let i = 0; i < 50; i++) {
      try {
        nsExec(this.client.ns, 'timeout', '1', 'bash', '-c', probe);
        return; // something listens on port 9: reachable too
      } catch (err) {
        if (String(err.stderr).includes('refused')) return;
      }
      execFileSync('sleep', ['0.1']);
    }
    throw new Error(`lab host ${address} is not reachable from ${this.client.ns}`);
  }
}
