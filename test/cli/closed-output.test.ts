import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isOutputGone } from '../../src/cli/closed-output.js';

const moduleUrl = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'closed-output.js')).href;

/**
 * A child that writes 4 MiB to stdout, whose reader goes after the first chunk; with `quiet` it
 * calls quietWhenOutputCloses first. Resolves with its exit status and stderr.
 */
function writeIntoClosedPipe(quiet: boolean): Promise<{ code: number | null; stderr: string }> {
  const script = `${quiet ? `(await import(${JSON.stringify(moduleUrl)})).quietWhenOutputCloses();` : ''}
    for (let i = 0; i < 64; i++) process.stdout.write('x'.repeat(65536));
    setTimeout(() => { process.stderr.write('done\\n'); process.exitCode = 3; }, 200);`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('cli/closed-output', () => {
  it('knows the errors of a write to an output whose reader has gone', () => {
    const error = (code: string) => Object.assign(new Error(code), { code });
    expect(isOutputGone(error('EPIPE'))).to.equal(true);
    expect(isOutputGone(error('ERR_STREAM_DESTROYED'))).to.equal(true);
    expect(isOutputGone(error('EIO'))).to.equal(false);
    expect(isOutputGone(new Error('no code'))).to.equal(false);
  });

  it('lets stdout close under a process: it finishes and exits with its own status, no stack trace', async function () {
    this.timeout(10_000);
    const crashed = await writeIntoClosedPipe(false);
    expect(crashed.stderr).to.contain('EPIPE');
    const quiet = await writeIntoClosedPipe(true);
    expect(quiet).to.deep.equal({ code: 3, stderr: 'done\n' });
  });
});
