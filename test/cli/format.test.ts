import { expect } from 'chai';
import { formatBytes, formatRate, formatTime } from '../../src/cli/format.js';

describe('cli/format', () => {
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

  describe('formatRate', () => {
    const cases: [number, number, string][] = [
      [22_500_000, 1, '22.5 MB/s'],
      [250_000_000, 1, '250 MB/s'],
      [2_310_000, 1, '2.31 MB/s'],
      [6, 0.01, '600 B/s'],
      [45_600, 1, '45.6 kB/s'],
      [4_560, 1, '4.56 kB/s'],
      [0, 1, '0 B/s'],
      [5, 0, '0 B/s'],
    ];
    for (const [bytes, seconds, expected] of cases) {
      it(`${bytes} B in ${seconds} s → ${expected}`, () => {
        expect(formatRate(bytes, seconds)).to.equal(expected);
      });
    }
  });

  it('formatTime: local date and time to the second', () => {
    const at = new Date(2026, 10, 25, 9, 8, 3, 500).getTime();
    expect(formatTime(at)).to.equal('2026-11-25 09:08:03');
  });
});
