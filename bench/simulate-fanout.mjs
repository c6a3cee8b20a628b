#!/usr/bin/env node
// node bench/simulate-fanout.mjs [--cpu-ms 0.9] [--json]
//
// What a full fan-out view (#PEERS, #FILES: ask every peer in the settings) costs as the mesh
// grows, past what one machine can run for real (docs/SCALING.md). A small discrete-event model
// of the client as txtmesh runs it: VIEW_CONCURRENCY connections at once, one thread that
// spends `cpu-ms` on each peer's exchange (connect, claim, LIST, parse; calibrated from the
// `mesh` bench scenario's 25- and 100-peer rows), answers that queue behind each other on that
// thread, 10% of the peers down (refused, nearly free) and 2% silent (cut by the view's patience,
// src/client/silence-watch.ts). Deterministic (seeded), so the numbers in SCALING.md can be
// checked by running it again.
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { 'cpu-ms': { type: 'string', default: '0.9' }, json: { type: 'boolean', default: false } } });
const CPU_MS = Number(args['cpu-ms']); // client CPU per answered peer
const REFUSED_CPU_MS = 0.15; // a refused connect costs the client little
const CONCURRENCY = 128; // src/constants.ts VIEW_CONCURRENCY
const MIN_PATIENCE_MS = 500; // src/client/silence-watch.ts: while others are still heard
const QUIET_MS = 250; // the same: once only the silent are left
const NETWORKS = {
  loopback: () => 0.1,
  lan: () => 0.5,
  // A mesh spread over a continent and beyond: round trips from 10 to 200 ms.
  wan: (rnd) => 10 + 190 * rnd(),
};

/** A small seeded PRNG (mulberry32): the same numbers every run. */
function prng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One view over `n` peers: returns when it ends (ms) and how many descriptors it holds at most.
 * Each slot connects (1 RTT), asks (1 RTT), and the answer then waits for the client's thread.
 */
function simulateView(n, network, seed = 1) {
  const rnd = prng(seed);
  const peers = Array.from({ length: n }, () => {
    const x = rnd();
    return { rtt: NETWORKS[network](rnd), state: x < 0.1 ? 'down' : x < 0.12 ? 'silent' : 'up' };
  });
  let cpuFree = 0; // when the client's thread is next free
  let slowest = 0; // slowest answer seen, request to answer handled
  let lastAnswer = 0; // when the last peer that is not silent answered or failed
  const slots = Array(Math.min(CONCURRENCY, n)).fill(0); // when each slot is next free
  const silent = [];
  for (const peer of peers) {
    const slot = slots.indexOf(Math.min(...slots));
    const start = slots[slot];
    if (peer.state === 'down') {
      cpuFree = Math.max(cpuFree, start + peer.rtt) + REFUSED_CPU_MS;
      slots[slot] = cpuFree;
    } else if (peer.state === 'silent') {
      // Holds its slot until it is cut; a slot is rarely short with 128 of them.
      silent.push({ slot, askedAt: start + peer.rtt, connectMs: peer.rtt });
      slots[slot] = start + peer.rtt + QUIET_MS;
    } else {
      const asked = start + peer.rtt;
      const done = Math.max(cpuFree, asked + peer.rtt) + CPU_MS;
      cpuFree = done;
      slowest = Math.max(slowest, done - asked);
      slots[slot] = done;
    }
    if (peer.state !== 'silent') lastAnswer = Math.max(lastAnswer, slots[slot]);
  }
  let end = lastAnswer;
  // Each silent peer is cut by the earlier of the two rules of silence-watch.ts.
  for (const s of silent) {
    const patient = s.askedAt + Math.max(MIN_PATIENCE_MS, 4 * s.connectMs, 2 * slowest);
    const quiet = Math.max(lastAnswer, s.askedAt) + Math.max(QUIET_MS, 2 * s.connectMs);
    end = Math.max(end, Math.min(patient, quiet));
  }
  return { ms: end, fds: slots.length };
}

const SIZES = [25, 50, 100, 1000, 10_000];
const rows = SIZES.map((n) => {
  const view = Object.fromEntries(Object.keys(NETWORKS).map((net) => [net, Math.round(simulateView(n, net).ms)]));
  return {
    peers: n,
    viewMs: view,
    fds: Math.min(CONCURRENCY, n),
    // Every peer refreshing one view a minute: connections each server accepts per second.
    connectionsPerServerPerSecond: Number((n / 60).toFixed(2)),
    // The same mesh-wide: every peer asks every other.
    meshConnectionsPerSecond: Math.round((n * n) / 60),
    // Settings lines: ~30 bytes open, ~100 with a 64-hex fingerprint (secure).
    settingsKiB: { open: Math.round((n * 30) / 1024), secure: Math.round((n * 100) / 1024) },
    // Push-pull gossip of listings: rounds until an update reaches every peer (log2 n + ln n).
    gossipRounds: Math.ceil(Math.log2(n) + Math.log(n)),
    // Kademlia lookup (k = 20, alpha = 3): about log2(n / k) hops, at least 1.
    dhtHops: Math.max(1, Math.ceil(Math.log2(n / 20))),
  };
});

if (args.json) {
  process.stdout.write(JSON.stringify({ cpuMsPerPeer: CPU_MS, concurrency: CONCURRENCY, rows }, null, 2) + '\n');
} else {
  process.stdout.write(`full fan-out view, modelled (client CPU ${CPU_MS} ms per peer, ${CONCURRENCY} at once, 10% down, 2% silent)\n`);
  process.stdout.write('peers   loopback ms  lan ms  wan ms  fds  conns/s/server  mesh conns/s  settings KiB (open/secure)  gossip rounds  DHT hops\n');
  for (const r of rows) {
    const cells = [r.peers, r.viewMs.loopback, r.viewMs.lan, r.viewMs.wan, r.fds, r.connectionsPerServerPerSecond, r.meshConnectionsPerSecond, `${r.settingsKiB.open}/${r.settingsKiB.secure}`, r.gossipRounds, r.dhtHops];
    const widths = [6, 11, 6, 6, 3, 14, 12, 26, 13, 8];
    process.stdout.write(cells.map((c, i) => String(c).padStart(widths[i])).join('  ') + '\n');
  }
}
