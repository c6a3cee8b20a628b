/**
 * What request handlers are given and give back (handlers.ts, partial-handlers.ts): the
 * server's context, a typed answer with an optional streamed body, a sink for a request's
 * body, and the facts a log line needs. Types only.
 */
import type { Answer } from '../protocol/answers.js';
import type { ServedFolder } from '../storage/served-folder.js';
import type { VersionsArea } from '../storage/versions-area.js';
import type { BufferPool } from '../transport/buffer-pool.js';
import type { SuperSeed } from './super-seed.js';

/** What handlers need from the server. */
export interface HandlerContext {
  readonly folder: ServedFolder;
  /** Buffers for reading ranges (SEND_CHUNK bytes each). */
  readonly readPool: BufferPool;
  /**
   * The pool a GET reads with now, if not readPool: smaller buffers when many connections are
   * busy, so the memory their answers hold stays bounded (peer-server.ts).
   */
  readonly readPoolNow?: () => BufferPool;
  readonly peerId: string;
  readonly maxUploadBytes: number;
  /** Where versions replaced by an upload are kept; VERSIONS reads it. */
  readonly versions: VersionsArea;
  /** Refuse a PUT that asks to replace another version (--refuse-replace). */
  readonly refuseReplace?: boolean;
  /** What each client of a crowd is offered of a whole file (super-seed.ts); absent: everything. */
  readonly superSeed?: SuperSeed;
}

/** An answer, and for a GET the bytes that follow its header. Its status is the answer's (statusOf). */
export interface Reply {
  readonly answer: Answer;
  /** Streamed after the answer's frames; if it throws part-way, the connection is closed (the length is already promised). */
  readonly body?: Iterable<Buffer> | AsyncIterable<Buffer>;
  /** Called with each body chunk once the socket no longer needs it (pooled buffers). */
  readonly release?: (chunk: Buffer) => void;
}

/** Consumes a request body chunk by chunk. */
export interface BodySink {
  write(chunk: Buffer): Promise<void>;
  /** Called after the last body byte; returns the answer. */
  finish(): Promise<Reply>;
  /** Called if the connection dies mid-body. */
  abort(): Promise<void>;
}

/** Facts about a request for the log line, beyond what its request and answer say. */
export interface RequestNote {
  /** File bytes the request received (a PUT's file); otherwise the log counts the answer's bytes that went out. */
  bytes?: number;
}
