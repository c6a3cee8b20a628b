/**
 * One peer connection on the server side. Requests are handled one at a time in arrival order,
 * and the next bytes are not read until the current answer has been handed to the socket with
 * backpressure: a client may pipeline many requests, and the ones waiting stay in the kernel's
 * socket buffer, not in our memory (so at most one request per connection is in progress).
 *
 * A malformed frame gets one ERR answer and closes this connection only; an illegal but
 * well-formed request gets an ERR answer and the connection carries on. A header must be
 * complete within the header timeout of its first byte (slowloris).
 */
import type { Socket } from 'node:net';
import { ProtocolError, TxtmeshError, codeOf } from '../errors.js';
import { FrameDecoder } from '../protocol/decoder.js';
import type { Header } from '../protocol/header.js';
import { REQUEST_VERBS, encodeError } from '../protocol/messages.js';
import { send, sendOne } from '../transport/send.js';
import type { ConnectionGate } from './admission.js';
import {
  type BodySink,
  type HandlerContext,
  HandleCache,
  type Reply,
  type RequestNote,
  discardSink,
  onGet,
  onHello,
  onInfo,
  onList,
  onPut,
} from './handlers.js';
import { refuseAndClose } from './refuse.js';

/** One line per request, for the server's log. */
export interface RequestLog {
  readonly remote: string;
  readonly verb: string;
  readonly name?: string;
  readonly bytes: number;
  readonly ms: number;
  /** 'OK' or an error code. */
  readonly status: string;
}

export interface ConnectionContext extends HandlerContext {
  readonly log: (entry: RequestLog) => void;
  readonly maxHeaderBytes: number;
  readonly headerTimeoutMs: number;
  /** Told of each request header and body chunk as it arrives (server/stats.ts). */
  readonly activity?: ConnectionActivity;
}

export interface ConnectionActivity {
  onHeader(remote: string, header: Header): void;
  onBody(remote: string, bytes: number): void;
}

/** What the server sees of a connection, to pick an idle one to evict when full. */
export interface ConnectionState {
  /** A request is being read or answered. */
  busy: boolean;
  /** performance.now() of the last request finished (or of the connect). */
  lastActive: number;
}

const KNOWN_VERBS: ReadonlySet<string> = new Set(REQUEST_VERBS);

/**
 * Serves one connection until it closes. Never throws. With a gate (a server that knows its
 * mesh: admission.ts), each request is checked before it is handled, and a refusal closes the
 * connection.
 */
export async function serveConnection(socket: Socket, ctx: ConnectionContext, state: ConnectionState, gate?: ConnectionGate): Promise<void> {
  const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
  const handles = new HandleCache();
  const decoder = new FrameDecoder({
    maxHeaderBytes: ctx.maxHeaderBytes,
    // A verb the server does not know may carry a small body, which is skipped.
    maxBodyBytes: (h) => (h.verb === 'PUT' ? ctx.maxUploadBytes : KNOWN_VERBS.has(h.verb) ? 0 : ctx.maxHeaderBytes),
  });
  let sink: BodySink | undefined;
  let current: Header | undefined;
  let started = 0;
  let note: RequestNote = {};
  let headerTimer: NodeJS.Timeout | undefined;

  const begin = async (header: Header): Promise<BodySink> => {
    started = performance.now();
    note = {};
    switch (header.verb) {
      case 'HELLO':
        return answered(onHello(ctx, header, gate?.outsider !== undefined));
      case 'LIST':
        return answered(await onList(ctx, header, note));
      case 'INFO':
        return answered(await onInfo(ctx, header, note));
      case 'GET':
        return answered(await onGet(ctx, header, note, handles));
      case 'PUT':
        return await onPut(ctx, header, note);
      default:
        throw new TxtmeshError('ERR_UNKNOWN_COMMAND', `unknown command ${header.verb}; known: ${REQUEST_VERBS.join(' ')}`);
    }
  };

  const answer = async (header: Header, reply: Reply): Promise<void> => {
    const status = reply.head[0]?.subarray(0, 4).toString() === 'ERR ' ? codeFromFrame(reply.head[0]) : 'OK';
    ctx.log({ remote, verb: header.verb, name: note.name, bytes: note.bytes ?? 0, ms: performance.now() - started, status });
    await send(socket, ...reply.head);
    if (reply.body) for await (const chunk of reply.body) await sendOne(socket, chunk, reply.release);
  };

  try {
    // destroyOnReturn: false, so that after a malformed frame the ERR answer can still be sent.
    for await (const chunk of socket.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      for (const event of decoder.push(chunk)) {
        if (event.type === 'header') {
          clearTimeout(headerTimer);
          headerTimer = undefined;
          state.busy = true;
          const refused = gate && (await gate.check(event.header));
          if (refused) {
            ctx.log({ remote, verb: event.header.verb, bytes: 0, ms: 0, status: refused.code });
            refuseAndClose(socket, encodeError(event.header.id, refused.code, refused.message));
            return;
          }
          ctx.activity?.onHeader(remote, event.header);
          current = event.header;
          sink = await begin(event.header).catch((err: unknown) => refusal(event.header, err));
        } else if (event.type === 'body') {
          ctx.activity?.onBody(remote, event.chunk.length);
          const receiving = sink as BodySink;
          const header = current as Header;
          await receiving.write(event.chunk).catch(async (err: unknown) => {
            await receiving.abort();
            sink = refusal(header, err);
          });
        } else {
          const header = event.header;
          const receiving = sink as BodySink;
          sink = undefined;
          const reply = await receiving.finish().catch((err: unknown) => refusalReply(header, err));
          await answer(header, reply);
          state.busy = false;
          state.lastActive = performance.now();
        }
      }
      if (decoder.inHeader && !headerTimer) {
        headerTimer = setTimeout(() => {
          ctx.log({ remote, verb: '-', bytes: 0, ms: ctx.headerTimeoutMs, status: 'ERR_HEADER_TIMEOUT' });
          socket.end(encodeError(0, 'ERR_HEADER_TIMEOUT', `header not complete within ${ctx.headerTimeoutMs} ms`));
          socket.destroySoon();
        }, ctx.headerTimeoutMs);
      }
    }
  } catch (err) {
    if (err instanceof ProtocolError) {
      ctx.log({ remote, verb: '-', bytes: 0, ms: 0, status: err.code });
      // Answer once, then close: after a malformed frame the byte stream cannot be trusted.
      if (!socket.destroyed) socket.end(encodeError(0, err.code, err.message));
    } else {
      // Transport failure, or a streamed body that could not be finished (file changed).
      socket.destroy();
    }
  } finally {
    clearTimeout(headerTimer);
    await sink?.abort().catch(() => undefined);
    await handles.closeAll();
    if (!socket.destroyed) socket.end();
  }
}

/** A sink whose answer is already known: there is no body to read (or it is discarded). */
function answered(reply: Reply): BodySink {
  return discardSink(() => reply);
}

function refusalReply(header: Header, err: unknown): Reply {
  const code = codeOf(err);
  const message = err instanceof TxtmeshError ? err.message : 'internal error';
  return { head: [encodeError(header.id, code, message)] };
}

/** After a refused request its body (if any) is read and discarded, then the error is sent. */
function refusal(header: Header, err: unknown): BodySink {
  return discardSink(() => refusalReply(header, err));
}

function codeFromFrame(frame: Buffer): string {
  return frame.toString('utf8').split(' ')[3] ?? 'ERR';
}
