import { expect } from 'chai';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RemoteError, TxtmeshError } from '../../src/errors.js';
import { WEB_ERRORS, WebError, errorBody, sendError, statusOf } from '../../src/web/http.js';
import { request } from './ui-helpers.js';

describe('web/http', () => {
  it('maps engine failures to HTTP statuses by their class', () => {
    const status = (code: ConstructorParameters<typeof TxtmeshError>[0]) => statusOf(new TxtmeshError(code, 'x'));
    expect(status('ERR_NOT_FOUND')).to.equal(404);
    expect(status('ERR_EXISTS')).to.equal(409);
    expect(status('ERR_VERSION_CONFLICT')).to.equal(409);
    expect(status('ERR_BAD_NAME')).to.equal(400);
    expect(status('ERR_UNKNOWN_PEER')).to.equal(400);
    expect(status('ERR_PEER_UNREACHABLE')).to.equal(502);
    expect(status('ERR_DOWNLOAD_INCOMPLETE')).to.equal(502);
    expect(statusOf(new RemoteError('ERR_NOT_FOUND', 'x'))).to.equal(404);
    expect(statusOf(new Error('boom'))).to.equal(500);
    for (const [code, httpStatus] of Object.entries(WEB_ERRORS)) expect(statusOf(new WebError(code as keyof typeof WEB_ERRORS, 'x'))).to.equal(httpStatus);
  });

  it('words a failure as the console does: the message, then the code', () => {
    expect(errorBody(new TxtmeshError('ERR_EXISTS', 'a.txt already exists'))).to.deep.equal({ ok: false, error: { code: 'ERR_EXISTS', message: 'a.txt already exists', text: 'a.txt already exists (ERR_EXISTS)' } });
    expect(errorBody(new WebError('ERR_UI_BUSY', 'a.txt is already being downloaded')).error.text).to.equal('a.txt is already being downloaded (ERR_UI_BUSY)');
    expect(errorBody(new Error('boom')).error).to.deep.equal({ code: 'ERR_INTERNAL', message: 'boom', text: 'boom' });
  });

  describe('over HTTP', () => {
    let server: Server;
    let port: number;
    before(async () => {
      server = createServer((req, res) => {
        if (req.url === '/after-headers') res.writeHead(200);
        sendError(res, new TxtmeshError('ERR_NOT_FOUND', 'no such file'));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('sends an error document with the status and the headers every answer carries', async () => {
      const answer = await request(port, '/');
      expect(answer.status).to.equal(404);
      expect(answer.json()).to.deep.equal({ ok: false, error: { code: 'ERR_NOT_FOUND', message: 'no such file', text: 'no such file (ERR_NOT_FOUND)' } });
      expect(answer.headers).to.include({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
      expect(answer.headers['content-length']).to.equal(String(answer.body.length));
    });

    it('cuts the connection when the failure comes after the answer has begun', async () => {
      const err = await request(port, '/after-headers').then(() => undefined, (e: NodeJS.ErrnoException) => e);
      expect(err?.code, 'a cut connection, not an answer').to.equal('ECONNRESET');
    });
  });
});
