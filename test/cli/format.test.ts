import { expect } from 'chai';
import { formatBytes, formatProgress } from '../../src/cli/format.js';

describe('client/format', () => {
  describe('formatBytes', () => {
    const cases: [number, string][] = [
      [0, '0 B'],
      [1, '1 B'],
      [1023, '1023 B'],
      [1024, '1.0 KiB'],
      [1536, '1.5 KiB'],
      [100 * 1024, '100 KiB'],
      [1024 * 1024, '1.0 MiB'],
      [1024 * 1024 - 1, '1.0 MiB'],
      [1023.6 * 1024, '1.0 MiB'],
      [5.25 * 1024 * 1024 * 1024, '5.3 GiB'],
      [1024 ** 4, '1.0 TiB'],
      [2048 * 1024 ** 4, '2048 TiB'],
    ];
    for (const [bytes, expected] of cases) {
      it(`${bytes} → ${expected}`, () => {
        expect(formatBytes(bytes)).to.equal(expected);
      });
    }
  });

  describe('formatProgress', () => {
    it('shows 100% for a zero-byte file', () => {
      const line = formatProgress({ size: 0, received: 0, activePeers: 1, elapsedMs: 0 });
      expect(line.startsWith('100.0%')).to.equal(true);
      expect(line).to.include('0 B/0 B');
      expect(line).to.not.include('NaN');
    });

    it('shows the percentage received', () => {
      const line = formatProgress({ size: 2048, received: 512, activePeers: 3, elapsedMs: 1000 });
      expect(line.startsWith(' 25.0%  512 B/2.0 KiB')).to.equal(true);
      expect(line.endsWith('3 peers')).to.equal(true);
    });
  });
});
