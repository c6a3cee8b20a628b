// The capped lab shared by the capped-links, straggler and upload scenarios: three serving
// hosts (p1..p3, one namespace each, link i capped in both directions) and the client host
// (peer d, its own namespace). Built once per benchmark run, torn down at exit.
import { join } from 'node:path';
import { Lab, labUnavailable } from '../lib/lab.mjs';
import { Mesh, benchRoot, writeTextFile } from '../lib/files.mjs';
import { Skip, BenchFailure } from '../lib/measure.mjs';
import { ConsoleSession, startServer } from '../lib/procs.mjs';
import { missing, startNginx } from '../lib/anchors.mjs';

export const LAB_PEERS = ['p1', 'p2', 'p3'];
const PORT = 50001;

/** Builds the lab (or throws Skip with the reason), serving big.txt of `ctx.sizes.capped` bytes. */
export async function labMesh(ctx) {
  if (ctx.shared.labMesh) return ctx.shared.labMesh;
  if (ctx.shared.labSkip) throw new Skip(ctx.shared.labSkip);
  const reason = labUnavailable();
  if (reason) throw new Skip((ctx.shared.labSkip = reason));
  const lab = new Lab({ tag: 'tmb' });
  ctx.atExit(() => lab.down());
  try {
    lab.up(['80mbit', '40mbit', '20mbit']);
  } catch (err) {
    throw new Skip((ctx.shared.labSkip = `cannot build the namespace lab: ${err.message}`));
  }
  const mesh = new Mesh(benchRoot('lab'), [
    ...LAB_PEERS.map((id, i) => ({ id, host: lab.servers[i].address, port: PORT })),
    { id: 'd', host: lab.client.address, port: PORT },
  ]);
  const size = ctx.sizes.capped;
  ctx.log(`generating ${size / 2 ** 20} MiB of text for the lab`);
  const source = join(mesh.served('p1'), 'big.txt');
  const sha = writeTextFile(source, size);
  mesh.share(source, 'big.txt', LAB_PEERS);
  const servers = [];
  for (const [i, id] of LAB_PEERS.entries()) {
    servers.push(await startServer({ peerDir: mesh.dir(id), netns: lab.servers[i].ns }));
  }
  // Servers hash a file once, on first request; do that before anything is timed.
  const session = await ConsoleSession.open({ peerDir: mesh.dir('d'), netns: lab.client.ns });
  const { lines } = await session.run(`#FILELIST ${LAB_PEERS.join(' ')}`, { timeoutMs: 120_000 });
  await session.close();
  if (lines.filter((l) => l.trim().startsWith('big.txt')).length !== LAB_PEERS.length) {
    throw new BenchFailure(`the lab's servers do not all list big.txt: ${lines.join(' | ')}`);
  }
  ctx.shared.labMesh = { lab, mesh, size, sha, name: 'big.txt', netns: lab.client.ns, servers };
  return ctx.shared.labMesh;
}

const NGINX_PORT = 8080;

/**
 * nginx on each serving host of the lab, serving the same folder as its txtmesh server, for
 * aria2c to download from in the same repetitions. Started once; `{ skip }` says why not.
 * @returns {Promise<{nginx?: object[], skip?: string}>}
 */
export async function labNginx(ctx, env) {
  if (ctx.shared.labNginx) return ctx.shared.labNginx;
  const why = missing('nginx', 'aria2c');
  if (why) return (ctx.shared.labNginx = { skip: why });
  const nginx = [];
  for (const [i, id] of LAB_PEERS.entries()) {
    const host = env.lab.servers[i];
    nginx.push(await startNginx({ root: env.mesh.served(id), host: host.address, port: NGINX_PORT, stateDir: join(env.mesh.root, `nginx-${id}`), netns: host.ns }));
  }
  return (ctx.shared.labNginx = { nginx });
}
