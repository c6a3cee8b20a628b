#!/usr/bin/env node
// npm run build, second step: the two programs (dist/client.js, dist/server.js) become one file
// each, bundled with esbuild from what tsc wrote. Node 20 loads an ES module graph file by file
// (resolve, read, link: about 0.7 ms a module here, with no compile cache), and a #DOWNLOAD
// loaded ~65 of them before its first connect: spawn → first request took 120 ms against 76 ms
// for `node -e 0`; bundled, 79 ms (issue 11, start-up; medians of 15, interleaved). The rest
// of dist/ (index.js, the engine's modules) stays as tsc wrote it, for the library and the
// bench. p-limit (two small modules, needed at start) goes into the bundle too; yargs and
// fast-glob stay imports of the package, each loaded with import() only when needed.
import { buildSync } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'dist');

for (const program of ['client.js', 'server.js']) {
  const file = join(dist, program);
  buildSync({
    entryPoints: [file],
    outfile: file,
    allowOverwrite: true,
    bundle: true,
    external: ['yargs', 'fast-glob'],
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true, // chained to tsc's maps: stack traces still name src/*.ts
    logLevel: 'warning',
  });
}
