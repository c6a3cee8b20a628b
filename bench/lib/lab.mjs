// The namespace lab (bench/netlab.sh) from Node: build it, re-cap its links, tear it down.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repo } from './procs.mjs';

const script = join(repo, 'bench', 'netlab.sh');
const PREFIX = 'tmb';

function netlab(...args) {
  const result = spawnSync('bash', [script, ...args], { encoding: 'utf8', env: { ...process.env, NETLAB_PREFIX: PREFIX } });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`netlab.sh ${args.join(' ')}: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

/** Why the lab cannot be built here, or undefined if it can. */
export function labUnavailable() {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root (ip netns, tc)';
  for (const [cmd, args] of [['ip', ['netns', 'list']], ['tc', ['-V']]]) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.error) return `${cmd} is not installed (apt-get install iproute2)`;
    if (r.status !== 0) return `${cmd} ${args.join(' ')} failed: ${(r.stderr || '').trim()}`;
  }
  return undefined;
}

/** Lab hosts: the client host and serving hosts 1..n (addresses as in netlab.sh). */
export class Lab {
  constructor(rates) {
    this.rates = [...rates];
    this.clientNs = `${PREFIX}cli`;
    this.clientAddress = '10.98.0.1';
  }

  serverNs(i) {
    return `${PREFIX}srv${i}`;
  }

  serverAddress(i) {
    return `10.98.0.${10 + i}`;
  }

  /** Builds the lab, first removing what a killed earlier run may have left. */
  up() {
    netlab('down');
    netlab('up', String(this.rates.length), ...this.rates);
  }

  /** Caps link i (1-based) at `rate` in both directions, e.g. "80mbit". */
  setRate(i, rate) {
    if (this.rates[i - 1] === rate) return;
    netlab('rate', String(i), rate);
    this.rates[i - 1] = rate;
  }

  /** Kills whatever still runs in the lab and deletes it. Synchronous: safe in an 'exit' handler. */
  static down() {
    try {
      netlab('down');
    } catch (err) {
      process.stderr.write(`bench: lab teardown: ${err.message}\n`);
    }
  }
}
