/**
 * What the page can ask, after the guard has let a request in: the views (#PEERS, #FILES, the
 * served folder), the actions (download, cancel, upload, share) and the event stream. Views
 * and actions run the engine (client/*) exactly as the console's commands do; results come
 * back as the same typed results, with the console's lines for the log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkName } from '../storage/names.js';
import type { ServedFolder } from '../storage/served-folder.js';
import { type HeldVersion, VersionsArea } from '../storage/versions-area.js';
import { filesView, peersView } from '../client/views.js';
import { upload } from '../client/upload.js';
import type { Result } from '../client/results.js';
import type { ActivityLog } from './activity.js';
import type { Assets } from './assets.js';
import { type UiContext, pickPeers } from './context.js';
import { BASE_HEADERS, WebError, errorBody, sendError, sendJson } from './http.js';
import type { LogTail } from './log-tail.js';
import { limitsOf, setLimits } from './limits.js';
import { receiveShare } from './share-upload.js';
import type { EventHub } from './sse.js';
import { uploadSummaryOf } from './summaries.js';
import type { Transfers } from './transfers.js';

/** Largest JSON request body. */
const MAX_JSON_BYTES = 64 * 1024;

export interface Routes {
  readonly ui: UiContext;
  readonly assets: Assets;
  readonly hub: EventHub;
  readonly log: ActivityLog;
  readonly transfers: Transfers;
  readonly tail: LogTail | undefined;
  readonly maxShareBytes: number;
  /** Ends requests to peers still running when the page closes. */
  readonly signal: AbortSignal;
}

/** Reads a small JSON object body; only `application/json`, so a plain form on another site cannot post one. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new WebError('ERR_UI_BAD_REQUEST', 'send a JSON body (content-type: application/json)');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw new WebError('ERR_UI_BAD_REQUEST', `a request body may be at most ${MAX_JSON_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new WebError('ERR_UI_BAD_REQUEST', 'the request body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new WebError('ERR_UI_BAD_REQUEST', 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

function text(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string') throw new WebError('ERR_UI_BAD_REQUEST', `"${key}" must be a string`);
  return value;
}

function ids(body: Record<string, unknown>, key: string): string[] {
  const value = body[key] ?? [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new WebError('ERR_UI_BAD_REQUEST', `"${key}" must be a list of peer IDs`);
  return value as string[];
}

/** A view's result, with the lines the console prints for it. */
function viewed(r: Routes, res: ServerResponse, result: Result): void {
  sendJson(res, 200, { ok: true, result, lines: r.ui.render(result) });
}

/** An action's result with the console's lines, which also go to the log. */
function answered(r: Routes, res: ServerResponse, result: Result): void {
  const lines = r.ui.render(result);
  for (const line of lines) r.log.add('page', line);
  sendJson(res, 200, { ok: true, result, lines });
}

async function serveAsset(r: Routes, res: ServerResponse, path: string, head: boolean): Promise<void> {
  if (path === '/') {
    const { html, csp } = await r.assets.index();
    res.writeHead(200, { ...BASE_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp, 'content-length': html.length });
    res.end(head ? undefined : html);
    return;
  }
  const asset = await r.assets.get(path.slice(1));
  if (!asset) throw new WebError('ERR_UI_NOT_FOUND', `no page ${path}`);
  res.writeHead(200, { ...BASE_HEADERS, 'content-type': asset.type, 'content-length': asset.body.length });
  res.end(head ? undefined : asset.body);
}

/** The versions this peer keeps (replaced or unshared), newest first within a name, as #VERSIONS lists them. */
async function keptVersions(folder: ServedFolder): Promise<HeldVersion[]> {
  return (await new VersionsArea(folder).versions()).filter((v) => v.state !== 'current');
}

function hello(r: Routes): object {
  const { ctx } = r.ui;
  return {
    peer: { id: ctx.id, mode: ctx.mode, settingsPath: ctx.settingsPath, dir: ctx.dir, peers: ctx.peers.map((p) => p.id) },
    transfers: r.transfers.list(),
    log: r.log.entries,
    serverLog: r.tail?.status ?? null,
    maxShareBytes: r.maxShareBytes,
    limits: limitsOf(r.ui),
  };
}

async function api(r: Routes, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  const { ctx } = r.ui;
  const view = { timeoutMs: r.ui.timeoutMs, myId: ctx.id, as: ctx.credentials, signal: r.signal };
  const route = `${req.method} ${path}`;
  const cancel = /^POST \/api\/transfers\/([0-9a-f]+)\/cancel$/.exec(route);
  if (cancel) return sendJson(res, 200, { ok: true, transfer: r.transfers.cancel(cancel[1] as string) });
  switch (route) {
    case 'GET /api/events':
      return r.hub.attach(res, [['hello', hello(r)]]);
    case 'GET /api/peers':
      return viewed(r, res, await peersView(ctx.peers, ctx.id, view));
    case 'GET /api/files':
      return viewed(r, res, await filesView(ctx.peers, view));
    case 'GET /api/served':
      return sendJson(res, 200, { ok: true, dir: ctx.dir, files: await r.ui.folder.list(), kept: await keptVersions(r.ui.folder) });
    case 'GET /api/limits':
      return sendJson(res, 200, { ok: true, limits: limitsOf(r.ui) });
    case 'POST /api/limits': {
      const limits = limitsOf(r.ui, setLimits(r.ui, await readJson(req)));
      for (const line of limits.lines) r.log.add('page', line);
      r.hub.send('limits', limits);
      return sendJson(res, 200, { ok: true, limits });
    }
    case 'GET /api/transfers':
      return sendJson(res, 200, { ok: true, transfers: r.transfers.list() });
    case 'POST /api/download': {
      const body = await readJson(req);
      return sendJson(res, 202, { ok: true, transfer: r.transfers.start(text(body, 'name'), ids(body, 'from')) });
    }
    case 'POST /api/upload': {
      const body = await readJson(req);
      const name = checkName(text(body, 'name'));
      const to = ids(body, 'to');
      if (to.length === 0) throw new WebError('ERR_UI_BAD_REQUEST', 'pick at least one peer to upload to');
      const peers = pickPeers(ctx, to);
      r.log.add('page', `Uploading ${name} to ${to.join(', ')}`);
      const done = await upload({ name, peers, folder: r.ui.folder, signal: r.signal, as: ctx.credentials, sendLimit: r.ui.limits?.up });
      return answered(r, res, uploadSummaryOf(name, done));
    }
    case 'POST /api/share': {
      const name = query.get('name') ?? '';
      const summary = await receiveShare(req, { name, fileName: query.get('file') ?? undefined, maxBytes: r.maxShareBytes, folder: r.ui.folder });
      answered(r, res, summary);
      r.hub.send('served', await r.ui.folder.list().catch(() => []));
      return;
    }
  }
  throw new WebError(/^(GET|POST) /.test(route) ? 'ERR_UI_NOT_FOUND' : 'ERR_UI_METHOD', `no ${route}`);
}

/** Answers one request the guard let in; failures become error documents (and log lines for actions). */
export async function route(r: Routes, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  try {
    if (path.startsWith('/api/')) await api(r, req, res, path, query);
    else if (req.method === 'GET' || req.method === 'HEAD') await serveAsset(r, res, path, req.method === 'HEAD');
    else throw new WebError('ERR_UI_METHOD', `${req.method} is not taken for ${path}`);
  } catch (err) {
    if (req.method === 'POST') {
      const { error } = errorBody(err);
      r.log.add('page', `error: ${error.text}`, error.code);
    }
    // A body the page did not read (a refused upload) would be left in the socket: close it.
    if (req.method === 'POST' && !req.readableEnded) res.setHeader('connection', 'close');
    sendError(res, err);
  }
}
