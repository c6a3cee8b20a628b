/**
 * Who may use the page: only requests that carry its token, addressed to 127.0.0.1 (or
 * localhost) at its port. The token is the first path segment (`/<token>/...`), so every
 * asset, API call and event stream carries it without cookies, which browsers share across
 * ports of one host. Pure: a request's method, path and headers in, a decision out.
 *
 * - Without the token: ERR_UI_TOKEN. Another local user can reach 127.0.0.1 too; the token is
 *   what keeps them from driving this peer.
 * - A Host other than the page's own: ERR_UI_HOST. A web page whose name an attacker points at
 *   127.0.0.1 (DNS rebinding) would otherwise be same-origin with the page.
 * - A state-changing request whose Origin is another site: ERR_UI_ORIGIN.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { WebErrorCode } from './http.js';

export interface GuardRequest {
  readonly method: string;
  /** The request target as sent: path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

export type GuardDecision =
  /** Allowed: the path after the token ("/", "/api/peers"), and the query. */
  | { readonly kind: 'allow'; readonly path: string; readonly query: URLSearchParams }
  /** `/<token>` without its slash: send the browser to `/<token>/` so relative URLs resolve. */
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'refuse'; readonly code: WebErrorCode; readonly message: string };

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The origins the page is served from. */
export function pageOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Decides whether a request may go on. */
export function guardRequest(req: GuardRequest, token: string, port: number): GuardDecision {
  const origins = pageOrigins(port);
  const host = (req.headers.host ?? '').toLowerCase();
  if (!origins.some((o) => o.slice('http://'.length) === host)) {
    return { kind: 'refuse', code: 'ERR_UI_HOST', message: `this page answers only at ${origins[0]}; the request was addressed to ${JSON.stringify(host.slice(0, 100))}` };
  }
  let url: URL;
  try {
    url = new URL(req.url, origins[0]);
  } catch {
    return { kind: 'refuse', code: 'ERR_UI_TOKEN', message: 'this page needs its token: open the URL txtmesh-client printed' };
  }
  const [, first = '', ...rest] = url.pathname.split('/');
  if (!sameToken(first, token)) {
    return { kind: 'refuse', code: 'ERR_UI_TOKEN', message: 'this page needs its token: open the URL txtmesh-client printed' };
  }
  if (rest.length === 0) return { kind: 'redirect', location: `/${token}/${url.search}` };
  if (!SAFE_METHODS.has(req.method)) {
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    if ((origin !== undefined && !origins.includes(origin)) || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
      return { kind: 'refuse', code: 'ERR_UI_ORIGIN', message: `requests that change anything are taken only from the page itself (${origins[0]})` };
    }
  }
  return { kind: 'allow', path: `/${rest.join('/')}`, query: url.searchParams };
}
