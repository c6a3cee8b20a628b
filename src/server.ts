#!/usr/bin/env node
/**
 * txtmesh-server: serves this peer's files to the mesh. Run it with the peer folder as the
 * working directory (README, "Running a peer"). On a terminal it also takes console
 * commands (status, files, peers, quit). The work is in cli/server-main.ts.
 *
 * The command line is read with node:util (cli/server-args.ts); yargs is loaded only for
 * --help, --version and lines that reader cannot take (issue 13: a server's cost at rest).
 */
import { quietWhenOutputCloses } from './cli/closed-output.js';
import { serverMain } from './cli/server-main.js';
import { leanServerArgs } from './cli/server-args.js';

quietWhenOutputCloses();

const args = process.argv.slice(2);
const argv = leanServerArgs(args) ?? (await (await import('./cli/server-parser.js')).parseServerCommandLine(args));
await serverMain(argv);
