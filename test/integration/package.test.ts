/**
 * What `npm pack` and `npm install -g .` give a user: the package builds itself when packed
 * (`prepack`), and the packed files hold the two programs.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repo } from './cli-helpers.js';

describe('the npm package', function () {
  this.timeout(60_000);

  it('builds when packed, and the pack holds dist/ with both programs', async function () {
    const pkg = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string>; files: string[]; bin: Record<string, string> };
    expect(pkg.scripts.prepack).to.equal('npm run build');
    // Scripts off: the build is already there (npm test builds first), and must not be redone under other tests' feet.
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo });
    const [packed] = JSON.parse(stdout) as { files: { path: string }[] }[];
    const paths = (packed?.files ?? []).map((f) => f.path);
    for (const bin of Object.values(pkg.bin)) expect(paths, bin).to.include(bin);
    expect(paths).to.include('dist/index.js');
    expect(paths.some((p) => p.startsWith('src/') || p.startsWith('test/'))).to.equal(false);
  });
});
