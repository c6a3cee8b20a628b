/** Formatting for the console: sizes, rates, durations, the progress line. Pure. */
import { visible } from './terminal-text.js';

/** 1536 → "1.5 KiB"; exact for small sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  // Compare the rounded value, so 1048575 bytes reads "1.0 MiB", not "1024 KiB".
  while (Number(value.toFixed(value >= 100 ? 0 : 1)) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/**
 * A rate in bytes (10^3, 10^6: as network people count them) per second: "22.5 MB/s",
 * "600 B/s" for a small file, so a rate is never shown as 0.00 unless it was.
 */
export function formatRate(bytes: number, seconds: number): string {
  const rate = seconds > 0 ? bytes / seconds : 0;
  const [value, unit] = rate >= 1e6 ? [rate / 1e6, 'MB/s'] : rate >= 1e3 ? [rate / 1e3, 'kB/s'] : [rate, 'B/s'];
  const digits = unit === 'B/s' || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m}m${String(Math.round(seconds - m * 60)).padStart(2, '0')}s`;
}

/** A time (ms since 1970) as this machine's local date and time to the second: "2026-11-25 19:08:33". */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * Left-aligned columns. Cells are made visible (terminal-text.ts) before they are measured, so
 * a name with control characters neither drives the terminal nor breaks the columns.
 */
export function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const cells = rows.map((row) => row.map(visible));
  const widths: number[] = [];
  for (const row of cells) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return cells.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}
