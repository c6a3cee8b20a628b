#!/usr/bin/env node
// The targets of a benchmark run as a Markdown table, read from its results file.
//
//   node bench/summary.mjs [FILE]    print them (default bench/results/latest.json)
//   node bench/summary.mjs --readme  rewrite bench/README.md's latest-run section from latest.json
//                                    (a full `npm run bench` does this itself)
//   node bench/summary.mjs --check   exit 1 if that section differs from latest.json
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSummary, updateReadme, withSummary } from './lib/summary.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const readme = join(here, 'README.md');
const latest = join(here, 'results', 'latest.json');
const arg = process.argv[2];
try {
  if (arg === '--readme') {
    process.stdout.write(updateReadme(readme, latest) ? 'bench/README.md: latest-run section rewritten\n' : 'bench/README.md: already up to date\n');
  } else if (arg === '--check') {
    const text = readFileSync(readme, 'utf8');
    if (withSummary(text, JSON.parse(readFileSync(latest, 'utf8'))) !== text) {
      process.stderr.write('bench/README.md: the latest-run section does not match bench/results/latest.json; run node bench/summary.mjs --readme\n');
      process.exit(1);
    }
  } else {
    process.stdout.write(renderSummary(JSON.parse(readFileSync(arg ?? latest, 'utf8'))) + '\n');
  }
} catch (err) {
  process.stderr.write(`summary: ${err.message}\n`);
  process.exit(2);
}
