#!/usr/bin/env node
// npm run check:layout — the layout rules of issue 9, checked over src/ (test/layout.test.ts runs
// the same check, so `npm test` enforces them):
//   - imports point inward only: programs (server.ts, client.ts) -> cli/, web/, index.ts (the
//     engine API) -> client/, server/ -> protocol/, storage/, transport/, security/ ->
//     settings.ts, errors.ts, constants.ts, options.ts. Within a layer a file imports only from
//     its own folder: client/ (the engine) never imports server/, server/ never imports client/
//     or cli/, index.ts never imports cli/, and protocol/, storage/, transport/ and security/
//     do not import each other; protocol/ imports no I/O module. Type-only imports count.
//     The table is LAYERS in scripts/layout/rules.mjs.
//   - no import cycles at all, between modules (type-only imports and import() count);
//   - no file over 300 lines, no function over 60: declarations, methods, accessors, arrows and
//     function expressions, named or not (a function's lines include those of functions inside
//     it), and each statement of top-level code (an 80-line top-level try is a long function);
//   - tests mirror src/: src/<path>.ts has a test at test/<path>.test.ts.
// Known violations are listed in scripts/layout-exceptions.json; the check fails on any other,
// on an entry that no longer violates, and on a listed file or function that grew.
// Prints every failure as file:line: message. Exit 0: no failure; 1: failures; 2: usage.
// Options: --root DIR (a tree with src/ and test/; default: this repo),
//          --exceptions FILE (default: ROOT/scripts/layout-exceptions.json).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayout } from './layout/check.mjs';

const USAGE = 'usage: node scripts/check-layout.mjs [--root DIR] [--exceptions FILE]';

function parseArgs(argv) {
  const options = { root: resolve(dirname(fileURLToPath(import.meta.url)), '..'), exceptions: undefined };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--help') return { help: true };
    if ((flag !== '--root' && flag !== '--exceptions') || value === undefined) throw new Error(`unknown or incomplete option ${flag}`);
    options[flag.slice(2)] = resolve(value);
  }
  options.exceptions ??= join(options.root, 'scripts', 'layout-exceptions.json');
  return options;
}

function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${err.message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const { code, lines } = checkLayout(options);
  for (const line of lines) console.log(line);
  return code;
}

process.exitCode = main();
