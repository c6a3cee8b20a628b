import { expect } from 'chai';
import { ActivityLog, LOG_KEEP } from '../../src/web/activity.js';
import type { EventHub } from '../../src/web/sse.js';

/** A hub that records what it was asked to send. */
function recordingHub(): { hub: EventHub; sent: [string, unknown][] } {
  const sent: [string, unknown][] = [];
  return { hub: { send: (event: string, data: unknown) => void sent.push([event, data]) } as unknown as EventHub, sent };
}

describe('web/activity (the log panel)', () => {
  it('sends each entry as a log event, with its code when it is a failure', () => {
    const { hub, sent } = recordingHub();
    const log = new ActivityLog(hub);
    const before = Date.now();
    log.add('page', 'Found a.txt at bob');
    log.add('page', 'error: no peer has b.txt (ERR_NOT_FOUND)', 'ERR_NOT_FOUND');
    log.add('server', '2026-11-25T19:08:33.322Z 127.0.0.1:1 LIST - 78B 1.0ms OK');
    expect(sent.map(([event]) => event)).to.deep.equal(['log', 'log', 'log']);
    expect(sent[1]?.[1]).to.include({ source: 'page', code: 'ERR_NOT_FOUND' });
    expect(sent[0]?.[1]).to.not.have.property('code');
    expect(log.entries.map((e) => e.source)).to.deep.equal(['page', 'page', 'server']);
    expect(log.entries[0]?.at).to.be.within(before, Date.now());
  });

  it(`keeps the last ${LOG_KEEP} entries for pages that connect later`, () => {
    const { hub, sent } = recordingHub();
    const log = new ActivityLog(hub);
    for (let i = 0; i < LOG_KEEP + 25; i++) log.add('server', `line ${i}`);
    expect(log.entries).to.have.length(LOG_KEEP);
    expect(log.entries[0]?.text).to.equal('line 25');
    expect(log.entries.at(-1)?.text).to.equal(`line ${LOG_KEEP + 24}`);
    expect(sent).to.have.length(LOG_KEEP + 25);
  });
});
