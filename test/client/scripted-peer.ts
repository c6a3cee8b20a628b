/**
 * The server's end of an in-memory duplex pair, for client-session tests: it collects the
 * request frames the session sends and writes whatever bytes a test scripts. It has no protocol
 * logic of its own, so a test states every answer byte for byte.
 */
import type { Duplex } from 'node:stream';
import { type SessionOptions, PeerSession } from '../../src/client/peer-session.js';
import type { TxtmeshError } from '../../src/errors.js';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import type { Header } from '../../src/protocol/header.js';
import { duplexPair } from '../duplex-pair.js';

export class ScriptedPeer {
  /** Request headers received, in order. */
  readonly requests: Header[] = [];
  /** Request body bytes received (PUT). */
  bodyBytes = 0;
  readonly end: Duplex;
  readonly #decoder = new FrameDecoder({ maxBodyBytes: () => Number.MAX_SAFE_INTEGER });
  readonly #waiters = new Set<() => void>();

  constructor(end: Duplex) {
    this.end = end;
    end.on('data', (chunk: Buffer) => {
      for (const event of this.#decoder.push(chunk)) {
        if (event.type === 'header') this.requests.push(event.header);
        else if (event.type === 'body') this.bodyBytes += event.chunk.length;
      }
      for (const wake of this.#waiters) wake();
    });
    end.on('error', () => undefined); // the session destroying its end resets this one
  }

  /** Resolves with the requests once at least `count` have arrived. */
  received(count: number): Promise<Header[]> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.requests.length < count) return;
        this.#waiters.delete(check);
        resolve(this.requests);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Writes raw bytes to the session. */
  write(bytes: string | Buffer): void {
    this.end.write(bytes);
  }
}

/** A session over one end of a fresh pair, and the scripted peer on the other end. */
export function sessionPair(options: Partial<SessionOptions> = {}): { session: PeerSession; peer: ScriptedPeer } {
  const [client, server] = duplexPair();
  const peer = new ScriptedPeer(server);
  const session = new PeerSession(client, { label: 'p1 (test)', ...options });
  return { session, peer };
}

/** A request frame as the session sends it: the session itself never looks inside. */
export function frame(verb: string, id: number, length = 0, ...args: string[]): Buffer {
  return Buffer.from([verb, id, length, ...args].join(' ') + '\n');
}

/** The error a promise rejects with; a test failure if it resolves. */
export function failure(promise: Promise<unknown>): Promise<TxtmeshError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: TxtmeshError) => err,
  );
}
