import { expect } from 'chai';
import { guardRequest } from '../../src/web/guard.js';

const TOKEN = 'k3y-0f-the-page_ABCDEFGHIJKLMNOPQRSTUVWXYZ012';
const PORT = 4321;
const host = { host: `127.0.0.1:${PORT}` };

function decide(url: string, headers: Record<string, string> = host, method = 'GET') {
  return guardRequest({ method, url, headers }, TOKEN, PORT);
}

describe('web/guard', () => {
  it('lets in a request with the token as its first segment, giving the rest of the path and the query', () => {
    expect(decide(`/${TOKEN}/`)).to.deep.include({ kind: 'allow', path: '/' });
    const d = decide(`/${TOKEN}/api/share?name=a.txt&file=x`);
    expect(d.kind).to.equal('allow');
    if (d.kind !== 'allow') return;
    expect(d.path).to.equal('/api/share');
    expect(d.query.get('name')).to.equal('a.txt');
  });

  it('refuses a request without the token, with a wrong one, or with it later in the path (ERR_UI_TOKEN)', () => {
    for (const url of ['/', '/api/peers', `/${TOKEN.slice(1)}/`, `/${TOKEN}x/`, `/x/${TOKEN}/`, `/?token=${TOKEN}`, '/favicon.ico', `/${TOKEN.toUpperCase()}/`]) {
      expect(decide(url), url).to.deep.include({ kind: 'refuse', code: 'ERR_UI_TOKEN' });
    }
  });

  it('sends /<token> to /<token>/ so relative URLs keep the token', () => {
    expect(decide(`/${TOKEN}?x=1`)).to.deep.equal({ kind: 'redirect', location: `/${TOKEN}/?x=1` });
  });

  it('refuses a Host other than 127.0.0.1 or localhost at the page port (ERR_UI_HOST), token or not', () => {
    for (const h of ['evil.example', `evil.example:${PORT}`, `127.0.0.1:${PORT + 1}`, `0.0.0.0:${PORT}`, `[::1]:${PORT}`, '']) {
      expect(decide(`/${TOKEN}/`, { host: h }), h).to.deep.include({ kind: 'refuse', code: 'ERR_UI_HOST' });
    }
    expect(decide(`/${TOKEN}/`, { host: `LOCALHOST:${PORT}` }).kind).to.equal('allow');
  });

  it('refuses a change sent from another origin (ERR_UI_ORIGIN), and takes one from the page', () => {
    const post = (headers: Record<string, string>) => decide(`/${TOKEN}/api/download`, { ...host, ...headers }, 'POST');
    expect(post({ origin: 'http://evil.example' })).to.deep.include({ kind: 'refuse', code: 'ERR_UI_ORIGIN' });
    expect(post({ origin: `http://127.0.0.1:${PORT + 1}` })).to.deep.include({ kind: 'refuse', code: 'ERR_UI_ORIGIN' });
    expect(post({ 'sec-fetch-site': 'cross-site' })).to.deep.include({ kind: 'refuse', code: 'ERR_UI_ORIGIN' });
    expect(post({ 'sec-fetch-site': 'same-site' })).to.deep.include({ kind: 'refuse', code: 'ERR_UI_ORIGIN' });
    expect(post({ origin: `http://127.0.0.1:${PORT}`, 'sec-fetch-site': 'same-origin' }).kind).to.equal('allow');
    expect(post({ origin: `http://localhost:${PORT}` }).kind).to.equal('allow');
    expect(post({}).kind).to.equal('allow');
  });
});
