/**
 * One peer connection on the server side. Requests are handled one at a time in arrival order,
 * and the next bytes are not read until the current answer has been handed to the socket with
 * backpressure: a client may pipeline many requests, and the ones waiting stay in the kernel's
 * socket buffer, not in our memory.
 *
 * A malformed frame gets one ERR answer and closes this connection only; an illegal but
 * well-formed request gets an ERR answer and the connection carries on.
 */
import type { Socket } from 'node:net';
import { MAX_HEADER_BYTES } from '../constants.js';
import { ProtocolError, TxtmeshError, codeOf } from '../errors.js';
import { FrameDecoder } from '../protocol/decoder.js';
import type { Header } from '../protocol/header.js';
import { REQUEST_VERBS, encodeError } from '../protocol/messages.js';
import {
  type BodySink,
  type HandlerContext,
  HandleCache,
  type RequestNote,
  discardSink,
  onGet,
  onHello,
  onInfo,
  onList,
  onPut,
} from './handlers.js';
import { send } from '../transport/send.js';

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
  /** Told of each request header and body chunk as it arrives (server/stats.ts). */
  readonly activity?: ConnectionActivity;
}

export interface ConnectionActivity {
  onHeader(remote: string, header: Header): void;
  onBody(remote: string, bytes: number): void;
}

const KNOWN_VERBS: ReadonlySet<string> = new Set(REQUEST_VERBS);

/** Serves one connection until it closes. Never throws. */
export async function serveConnection(socket: Socket, ctx: ConnectionContext): Promise<void> {
  const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
  const handles = new HandleCache();
  const decoder = new FrameDecoder({
    maxBodyBytes: (h) => (h.verb === 'PUT' ? ctx.maxUploadBytes : KNOWN_VERBS.has(h.verb) ? 0 : MAX_HEADER_BYTES),
  });
  let sink: BodySink | undefined;
  let current: Header | undefined;
  let started = 0;
  let note: RequestNote = {};

  const logDone = (header: Header, status: string) => {
    ctx.log({ remote, verb: header.verb, name: note.name, bytes: note.bytes ?? 0, ms: performance.now() - started, status });
  };

  const begin = async (header: Header): Promise<BodySink> => {
    started = performance.now();
    note = {};
    switch (header.verb) {
      case 'HELLO':
        return answered(onHello(ctx, header));
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

  try {
    // destroyOnReturn: false, so that after a malformed frame the ERR answer can still be sent.
    for await (const chunk of socket.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      for (const event of decoder.push(chunk)) {
        if (event.type === 'header') {
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
          const frames = await receiving.finish().catch((err: unknown) => refusalFrames(header, err));
          logDone(header, frames[0]?.subarray(0, 3).toString() === 'ERR' ? codeFromFrame(frames[0]) : 'OK');
          await send(socket, ...frames);
        }
      }
    }
  } catch (err) {
    if (err instanceof ProtocolError) {
      ctx.log({ remote, verb: '-', bytes: 0, ms: 0, status: err.code });
      // Answer once, then close: after a malformed frame the byte stream cannot be trusted.
      if (!socket.destroyed) socket.end(encodeError(0, err.code, err.message));
    } else {
      socket.destroy();
    }
  } finally {
    await sink?.abort().catch(() => undefined);
    await handles.closeAll();
    if (!socket.destroyed) socket.end();
  }
}

/** A sink whose answer is already known: there is no body to read (or it is discarded). */
function answered(frames: Buffer[]): BodySink {
  return discardSink(() => frames);
}

function refusalFrames(header: Header, err: unknown): Buffer[] {
  const code = codeOf(err);
  const message = err instanceof TxtmeshError ? err.message : 'internal error';
  return [encodeError(header.id, code, message)];
}

/** After a refused request its body (if any) is read and discarded, then the error is sent. */
function refusal(header: Header, err: unknown): BodySink {
  return discardSink(() => refusalFrames(header, err));
}

function codeFromFrame(frame: Buffer): string {
  return frame.toString('utf8').split(' ')[3] ?? 'ERR';
}
