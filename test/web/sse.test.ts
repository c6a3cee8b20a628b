import { expect } from 'chai';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventHub, formatEvent } from '../../src/web/sse.js';
import { EventReader, parseEvents } from './ui-helpers.js';

describe('web/sse', () => {
  it('frames an event as id, event and one data line per line, then a blank line', () => {
    expect(formatEvent('transfer', '{"a":1}', 7)).to.equal('id: 7\nevent: transfer\ndata: {"a":1}\n\n');
    expect(formatEvent('log', 'x')).to.equal('event: log\ndata: x\n\n');
  });

  it('splits data on LF, CRLF and CR alike, so no line end can end the event early', () => {
    const text = formatEvent('log', 'one\ntwo\r\nthree\rfour\n');
    expect(text).to.equal('event: log\ndata: one\ndata: two\ndata: three\ndata: four\ndata: \n\n');
    expect(parseEvents(text).events).to.deep.equal([{ event: 'log', data: 'one\ntwo\nthree\nfour\n' }]);
  });

  it('refuses an event name of more than one line', () => {
    expect(() => formatEvent('a\nevent: b', 'x')).to.throw(RangeError);
  });

  describe('EventHub over HTTP', () => {
    let server: Server;
    let hub: EventHub;
    let port: number;
    beforeEach(async () => {
      hub = new EventHub(50);
      server = createServer((_req, res) => hub.attach(res, [['hello', { n: 0 }]]));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterEach(async () => {
      hub.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('sends the first events to a new page, then every event to every page, with rising ids', async () => {
      const a = await EventReader.open(port, '/');
      const b = await EventReader.open(port, '/');
      expect(a.headers['content-type']).to.equal('text/event-stream; charset=utf-8');
      await a.waitFor((e) => e.event === 'hello');
      await b.waitFor((e) => e.event === 'hello');
      expect(hub.size).to.equal(2);
      hub.send('log', { text: 'line one\nline two' });
      const [ea, eb] = await Promise.all([a.waitFor((e) => e.event === 'log'), b.waitFor((e) => e.event === 'log')]);
      expect(JSON.parse(ea.data)).to.deep.equal({ text: 'line one\nline two' });
      expect(eb.data).to.equal(ea.data);
      expect(Number(ea.id)).to.be.greaterThan(Number(a.events[0]?.id));
      a.close();
      b.close();
    });

    it('forgets a page that went away, and keeps the others', async () => {
      const a = await EventReader.open(port, '/');
      const b = await EventReader.open(port, '/');
      await Promise.all([a.waitFor((e) => e.event === 'hello'), b.waitFor((e) => e.event === 'hello')]);
      a.close();
      const deadline = Date.now() + 2000;
      while (hub.size > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(hub.size).to.equal(1);
      hub.send('log', 1);
      expect(JSON.parse((await b.waitFor((e) => e.event === 'log')).data)).to.equal(1);
      b.close();
    });
  });
});
