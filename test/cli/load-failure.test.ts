import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
const moduleUrl = pathToFileURL(join(built, 'cli', 'load-failure.js')).href;

/** Runs `command` in sh; resolves with its exit status and stderr. */
function run(command: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command, ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end('#QUIT\n');
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** A child that runs failOnLoad over a load that throws an error with `code`. */
function loadThrowing(code: string) {
  const script = `(await import(${JSON.stringify(moduleUrl)})).failOnLoad('prog', async () => { throw Object.assign(new Error('opening x.js'), { code: ${JSON.stringify(code)} }); });`;
  return run('exec "$0" --input-type=module -e "$1"', [process.execPath, script]);
}

describe('cli/load-failure', () => {
  it('says a start-up that ran out of file handles did, with a code and status 2; other failures are thrown on', async function () {
    this.timeout(10_000);
    const out = await loadThrowing('EMFILE');
    expect(out).to.deep.equal({ code: 2, stderr: 'prog: out of file handles while starting (EMFILE): raise the limit on open files (ulimit -n) (ERR_BUSY)\n' });
    const other = await loadThrowing('EACCES');
    expect(other.code).to.equal(1);
    expect(other.stderr).to.contain('opening x.js');
  });

  it('the real client under a low `ulimit -n`: it either starts or says what ran out, with status 2', async function () {
    this.timeout(30_000);
    const client = join(built, 'client.js');
    const outcomes: string[] = [];
    // Below ~24 Node cannot load even the entry's static imports (a raw EMFILE from Node's loader,
    // before any code of ours runs); above ~40 the client starts.
    for (const limit of [26, 28, 30, 32, 64]) {
      const { code, stderr } = await run('ulimit -n "$1" && exec "$0" "$2"', [process.execPath, String(limit), client]);
      if (stderr.includes('out of file handles')) {
        expect(code, stderr).to.equal(2);
        expect(stderr, `limit ${limit}`).to.match(/^txtmesh-client: out of file handles while starting \(EMFILE\).*\(ERR_BUSY\)\n$/);
        outcomes.push('named');
      } else {
        expect(stderr, `limit ${limit}`).not.to.contain('EMFILE');
        outcomes.push(`exit ${code}`);
      }
    }
    expect(outcomes, 'some low limit stops the client, and it says so').to.include('named');
    expect(outcomes.at(-1), 'with 64 handles the client starts').to.not.equal('named');
  });
});
