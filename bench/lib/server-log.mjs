// Bytes served, from a server's request log (`--log-format json`, one JSON object a line on
// stdout). The server writes a request's line once its answer has gone out, or was cut off
// (src/server/connection.ts `answer`), and a GET's `bytes` are those its socket took
// (src/server/send-answer.ts): a GET the client abandoned midway counts what went out before,
// with the status that cut it (ERR_PEER_CLOSED, ERR_PEER_TIMEOUT). So GET bytes are summed over
// every line, whatever its status; a PUT's line counts the body it received, and only an OK one
// (an upload that was kept). Requests are counted when answered OK in full.
import { createInterface } from 'node:readline';

/** Running totals of one server's request log: bytes and requests per verb and name (see above for which lines count). */
export class RequestTally {
  #bytes = new Map();
  #requests = new Map();
  #lastLine = performance.now();

  constructor(stream) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.#onLine(line));
  }

  /** Bytes logged so far for `verb` (e.g. GET) of file `name`. */
  bytes(verb, name) {
    return this.#bytes.get(`${verb} ${name}`) ?? 0;
  }

  /** Bytes logged so far for `verb`, every name. */
  total(verb) {
    return this.#bytes.get(verb) ?? 0;
  }

  /** Requests logged so far for `verb` of file `name`. */
  requests(verb, name) {
    return this.#requests.get(`${verb} ${name}`) ?? 0;
  }

  /** Milliseconds since the last log line arrived. */
  quietMs() {
    return performance.now() - this.#lastLine;
  }

  #onLine(line) {
    this.#lastLine = performance.now();
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      return; // not a log line
    }
    if (typeof entry.bytes !== 'number') return;
    const ok = entry.status === 'OK';
    if (!ok && entry.verb !== 'GET') return;
    const key = `${entry.verb} ${entry.name}`;
    this.#bytes.set(key, (this.#bytes.get(key) ?? 0) + entry.bytes);
    this.#bytes.set(entry.verb, (this.#bytes.get(entry.verb) ?? 0) + entry.bytes);
    if (ok) this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
  }
}

/** Waits until no server has logged anything for `quietMs` (at most `maxMs`): their last lines are in. */
export async function settled(servers, { quietMs = 50, maxMs = 2000 } = {}) {
  const started = performance.now();
  while (performance.now() - started < maxMs && servers.some((s) => s.tally.quietMs() < quietMs)) {
    await new Promise((resolve) => setTimeout(resolve, quietMs / 2));
  }
  await new Promise((resolve) => setTimeout(resolve, quietMs));
}

/**
 * Runs `fn` and counts the bytes `servers` logged for `verb` of `name` meanwhile.
 * @returns {Promise<{result: any, bytes: number, requests: number}>}
 */
export async function counting(servers, verb, name, fn) {
  const before = servers.map((s) => [s.tally.bytes(verb, name), s.tally.requests(verb, name)]);
  const result = await fn();
  await settled(servers);
  let bytes = 0;
  let requests = 0;
  servers.forEach((s, i) => {
    bytes += s.tally.bytes(verb, name) - before[i][0];
    requests += s.tally.requests(verb, name) - before[i][1];
  });
  return { result, bytes, requests };
}
