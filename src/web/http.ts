/**
 * The page's HTTP answers: JSON documents, errors with a stable code, and the headers every
 * answer carries. A failure is `{ok: false, error: {code, message, text}}`, where `text` is
 * what the console prints for it (describeError: the message, then the code in brackets).
 */
import type { ServerResponse } from 'node:http';
import { ERROR_TABLE, TxtmeshError, codeOf, describeError } from '../errors.js';

/**
 * The page's own codes, for what only an HTTP endpoint can get wrong; engine failures keep
 * their ERROR_TABLE codes. docs/web.md lists them.
 */
export const WEB_ERRORS = {
  /** The request did not carry the page's token (another local user, or a stale tab). */
  ERR_UI_TOKEN: 403,
  /** The Host header is not 127.0.0.1 or localhost at the page's port (DNS rebinding). */
  ERR_UI_HOST: 403,
  /** A state-changing request came from another origin. */
  ERR_UI_ORIGIN: 403,
  ERR_UI_NOT_FOUND: 404,
  ERR_UI_METHOD: 405,
  ERR_UI_BAD_REQUEST: 400,
  /** The same file is already being downloaded. */
  ERR_UI_BUSY: 409,
  /** A shared file is larger than the page accepts (--ui-max-share). */
  ERR_UI_TOO_LARGE: 413,
} as const;

export type WebErrorCode = keyof typeof WEB_ERRORS;

/** A refusal of the endpoint itself, with its code. */
export class WebError extends Error {
  readonly code: WebErrorCode;
  constructor(code: WebErrorCode, message: string) {
    super(message);
    this.name = 'WebError';
    this.code = code;
  }
}

/** Headers on every answer: nothing cached, no referrer (the token is in the path), no framing. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The HTTP status for an engine failure, by its class in ERROR_TABLE. */
export function statusOf(err: unknown): number {
  if (err instanceof WebError) return WEB_ERRORS[err.code];
  if (!(err instanceof TxtmeshError)) return 500;
  if (err.code === 'ERR_NOT_FOUND') return 404;
  if (err.code === 'ERR_EXISTS' || err.code === 'ERR_CHANGED' || err.code === 'ERR_VERSION_CONFLICT') return 409;
  const cls = ERROR_TABLE[err.code].class;
  if (cls === 'usage' || cls === 'request') return 400;
  return 502;
}

/** The error document for any failure. */
export function errorBody(err: unknown): { ok: false; error: { code: string; message: string; text: string } } {
  const code = err instanceof WebError ? err.code : codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const text = err instanceof WebError ? `${message} (${code})` : describeError(err);
  return { ok: false, error: { code, message, text } };
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, statusOf(err), errorBody(err));
}
