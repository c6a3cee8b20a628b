/**
 * The web console: a page for this peer, served on 127.0.0.1 only, at a URL with a random
 * token (docs/web.md). It is built on the engine like the console is: its views and actions
 * call client/*, and its live view is fed by download()'s callbacks over Server-Sent Events.
 */
import { randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActivityLog } from './activity.js';
import { Assets } from './assets.js';
import type { UiContext } from './context.js';
import { guardRequest } from './guard.js';
import { BASE_HEADERS, sendJson } from './http.js';
import { LogTail } from './log-tail.js';
import { route } from './routes.js';
import { DEFAULT_MAX_SHARE_BYTES } from './share-upload.js';
import { EventHub } from './sse.js';
import { Transfers } from './transfers.js';

export interface UiOptions extends UiContext {
  /** Port on 127.0.0.1 (default 0: a free port). */
  readonly port?: number;
  /** The token (default: 32 random bytes, base64url). */
  readonly token?: string;
  /** Largest file the page may share, in bytes. */
  readonly maxShareBytes?: number;
  /** The server's output file to follow for the log panel (none: no server log shown). */
  readonly serverLog?: string;
  /** Assets (tests may point at another folder). */
  readonly assets?: Assets;
}

export interface RunningUi {
  /** The page's address, token included: `http://127.0.0.1:PORT/TOKEN/`. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

/** The one address the page listens on: never another interface. */
export const UI_HOST = '127.0.0.1';

/**
 * Starts serving the page.
 * @throws the listen error (EADDRINUSE when --ui-port is taken)
 */
export async function startUi(options: UiOptions): Promise<RunningUi> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const hub = new EventHub();
  const log = new ActivityLog(hub);
  const stop = new AbortController();
  const tail = options.serverLog === undefined ? undefined : new LogTail(options.serverLog, (line) => log.add('server', line), (status) => hub.send('serverLog', status));
  const routes = {
    ui: options,
    assets: options.assets ?? new Assets(),
    hub,
    log,
    transfers: new Transfers(options, hub, log),
    tail,
    maxShareBytes: options.maxShareBytes ?? DEFAULT_MAX_SHARE_BYTES,
    signal: stop.signal,
  };
  let port = 0;
  const server: Server = createServer((req, res) => {
    const decision = guardRequest({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, token, port);
    if (decision.kind === 'refuse') {
      res.setHeader('connection', 'close');
      return sendJson(res, 403, { ok: false, error: { code: decision.code, message: decision.message, text: `${decision.message} (${decision.code})` } });
    }
    if (decision.kind === 'redirect') {
      res.writeHead(308, { ...BASE_HEADERS, location: decision.location });
      return res.end();
    }
    void route(routes, req, res, decision.path, decision.query);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, UI_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  tail?.start();
  return {
    url: `http://${UI_HOST}:${port}/${token}/`,
    port,
    token,
    async close() {
      tail?.stop();
      stop.abort();
      routes.transfers.close();
      hub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
