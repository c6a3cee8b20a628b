// What the profiling scripts (bench/profile.mjs, bench/profile-small.mjs) share: where the
// .cpuprofile files go (cleared of earlier ones), and cleaning up after the run.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { removeRoots } from './files.mjs';
import { killAll, repo } from './procs.mjs';

/** The folder for this run's profiles (default bench/profiles/), emptied; children and temp folders go at exit. */
export function profileRun(outArg) {
  const out = outArg ?? join(repo, 'bench', 'profiles');
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(out)) if (f.endsWith('.cpuprofile')) rmSync(join(out, f));
  process.on('exit', () => {
    killAll();
    removeRoots();
  });
  process.on('SIGINT', () => process.exit(130));
  return out;
}
