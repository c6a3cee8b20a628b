// Numbers for people, as the console shows them: sizes in KiB/MiB, speeds in MB/s.

export function bytes(n) {
  if (n === null || n === undefined) return '?';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let i = 0;
  while (value >= 1023.95 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[i]}`;
}

/** Bytes per second as MB/s (10^6 bytes), the way network people count. */
export function speed(perSecond) {
  const mb = perSecond / 1e6;
  return `${mb.toFixed(mb >= 100 ? 0 : mb >= 10 ? 1 : 2)} MB/s`;
}

export function duration(seconds) {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  return `${m}m${String(Math.round(seconds - m * 60)).padStart(2, '0')}s`;
}

export function ms(n) {
  return n === null ? '-' : `${n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)} ms`;
}

export function clock(at) {
  return new Date(at).toLocaleTimeString(undefined, { hour12: false });
}

export function percent(part, whole) {
  if (!whole) return part > 0 || whole === 0 ? 100 : 0;
  return Math.min(100, (part / whole) * 100);
}

/** A peer's problem as the console shows it: the message, ending with its code once. */
export function problem(error) {
  return error.message.endsWith(`(${error.code})`) ? error.message : `${error.message} (${error.code})`;
}
