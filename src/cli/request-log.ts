/**
 * The server's request log: one line per answered request, as text for people or as one
 * JSON object per line (`--log-format json`) for log collectors. The name is the client's:
 * either way its control characters are escaped (terminal-text.ts). Pure.
 */
import type { RequestLog } from '../server/connection.js';
import { jsonLine, visible } from './terminal-text.js';

export type LogFormat = 'text' | 'json';

/**
 * text: `2026-11-25T19:08:33.322Z 127.0.0.1:58364 GET "a.txt" 262144B 1.6ms OK`
 * json: `{"time":"2026-11-25T19:08:33.322Z","remote":"127.0.0.1:58364","verb":"GET","name":"a.txt","bytes":262144,"ms":1.6,"status":"OK"}`
 */
export function formatRequestLog(entry: RequestLog, format: LogFormat, time: Date = new Date()): string {
  if (format === 'json') {
    return jsonLine({
      time: time.toISOString(),
      remote: entry.remote,
      verb: entry.verb,
      name: entry.name ?? null,
      bytes: entry.bytes,
      ms: Math.round(entry.ms * 1000) / 1000,
      status: entry.status,
    });
  }
  const name = entry.name === undefined ? '-' : jsonLine(entry.name);
  return visible(`${time.toISOString()} ${entry.remote} ${entry.verb} ${name} ${entry.bytes}B ${entry.ms.toFixed(1)}ms ${entry.status}`);
}
