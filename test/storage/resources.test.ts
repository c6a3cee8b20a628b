/** storage/resources: failures for want of a resource, named for what ran out. */
import { expect } from 'chai';
import { TxtmeshError } from '../../src/errors.js';
import { bytesText, freeBytes, isNoSpace, isOutOfHandles, namedFailure, noSpace, outOfHandles, passBusy } from '../../src/storage/resources.js';
import { tempDir } from '../helpers.js';

const errno = (code: string) => Object.assign(new Error(`${code}: something`), { code });

describe('storage/resources', () => {
  it('tells a full disk (or quota) and running out of file handles from other failures', () => {
    expect(['ENOSPC', 'EDQUOT', 'EMFILE', 'ENOENT'].map((c) => isNoSpace(errno(c)))).to.deep.equal([true, true, false, false]);
    expect(['EMFILE', 'ENFILE', 'ENOSPC', 'EACCES'].map((c) => isOutOfHandles(errno(c)))).to.deep.equal([true, true, false, false]);
    expect(isNoSpace(undefined)).to.equal(false);
  });

  it('names running out of handles ERR_BUSY, and leaves other failures as they are', () => {
    expect((namedFailure(errno('EMFILE')) as TxtmeshError).code).to.equal('ERR_BUSY');
    expect((namedFailure(errno('ENFILE')) as TxtmeshError).code).to.equal('ERR_BUSY');
    const other = errno('EIO');
    expect(namedFailure(other)).to.equal(other);
    expect(outOfHandles().message).to.contain('out of file handles');
  });

  it('passBusy passes on ERR_BUSY and swallows anything else', () => {
    expect(() => passBusy(outOfHandles())).to.throw(TxtmeshError);
    expect(passBusy(new TxtmeshError('ERR_NOT_FOUND', 'x'))).to.equal(undefined);
    expect(passBusy(errno('EIO'))).to.equal(undefined);
  });

  it('writes sizes for people, exact bytes kept', () => {
    expect(bytesText(1)).to.equal('1 byte');
    expect(bytesText(1023)).to.equal('1023 bytes');
    expect(bytesText(5 * 1024 * 1024)).to.equal('5.0 MiB (5242880 bytes)');
    expect(bytesText(1536)).to.equal('1.5 KiB (1536 bytes)');
  });

  it('ERR_NO_SPACE says what needs how much more, what is free, and what was done', async () => {
    const dir = await tempDir();
    const free = await freeBytes(dir);
    expect(free).to.be.a('number').and.above(0);
    const err = await noSpace(dir, 'big.txt', 3 * 1024 * 1024, 'nothing was kept');
    expect(err.code).to.equal('ERR_NO_SPACE');
    expect(err.message).to.match(new RegExp(`^no space left on the disk of ${dir}: big\\.txt needs 3\\.0 MiB \\(3145728 bytes\\) more, and .* free; nothing was kept$`));
    expect(await freeBytes('/no/such/dir')).to.equal(undefined);
  });
});
