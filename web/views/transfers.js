// Downloads started from this page, live: a bar per peer (bytes and current speed), total
// speed, ETA, verified pieces, speed history, and cancel.
import { useState } from 'preact/hooks';
import { errorText, postJson } from '../api.js';
import { bytes, duration, percent, speed } from '../format.js';
import { html } from '../html.js';
import { LimitsPanel } from './limits.js';
import { SpeedGraph } from './speed-graph.js';

const STATE_WORDS = { starting: 'asking peers…', running: 'downloading', done: 'done', failed: 'failed', cancelled: 'cancelled' };

function Bar({ value, label }) {
  const pct = Math.round(value * 10) / 10;
  return html`<div class="bar" role="progressbar" aria-label=${label} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${pct} aria-valuetext=${`${pct}%`}>
    <span style=${{ width: `${pct}%` }}></span></div>`;
}

function PeerLine({ t, p }) {
  const share = percent(p.bytes, t.size ?? 0);
  return html`<li data-peer=${p.peer} class=${p.problem ? 'problem' : ''}>
    <span class="who">${p.peer}${p.partial ? html` <span class="tag" title="a peer still downloading this file, serving the pieces it has">partial holder</span>` : ''}</span>
    <${Bar} value=${t.size ? share : 0} label=${`${t.name}: bytes from ${p.peer}`} />
    <span class="figures"><span class="peer-bytes">${bytes(p.bytes)}</span>${' · '}<span class="peer-rate">${speed(p.rate)}</span></span>
    ${p.problem ? html`<span class="error">${p.problem}</span>` : ''}
  </li>`;
}

function TransferCard({ t }) {
  const [cancelError, setCancelError] = useState(null);
  const active = t.state === 'starting' || t.state === 'running';
  const cancel = async () => {
    try {
      await postJson(`./api/transfers/${t.id}/cancel`, {});
    } catch (err) {
      setCancelError(errorText(err));
    }
  };
  const total = t.size === null ? 0 : percent(t.received, t.size);
  const average = t.elapsedMs > 0 ? ((t.received - t.resumedBytes) / t.elapsedMs) * 1000 : 0;
  const title = `transfer-${t.id}`;
  return html`<article class="transfer" data-transfer=${t.id} data-state=${t.state} data-received=${t.received} aria-labelledby=${title}>
    <h3 id=${title}>${t.name} <span class=${`state ${t.state === 'done' ? 'ok' : t.state === 'failed' ? 'bad' : ''}`}>${STATE_WORDS[t.state]}</span></h3>
    <p class="note">from ${t.from ? t.from.join(', ') : 'every peer that has it'}</p>
    <${Bar} value=${total} label=${`${t.name}: total`} />
    <p class="stats">
      <span class="received">${bytes(t.received)} of ${bytes(t.size)}</span>${' · '}
      ${active ? html`<span class="rate">${speed(t.rate)}</span>${' · '}ETA <span class="eta">${duration(t.etaSeconds)}</span>` : html`<span class="rate">average ${speed(average)}</span>`}${' · '}
      <span class="pieces">${t.pieces.done} of ${t.pieces.total ?? '?'} pieces verified</span>${' · '}
      ${duration(t.elapsedMs / 1000)}
    </p>
    ${t.limited ? html`<p class="held" role="status">Held back by this peer's download limit (${bytes(t.limit)}/s): the limit, not the peers, sets the speed now.</p>` : ''}
    <ul class="peers" aria-label=${`Peers serving ${t.name}`}>${t.peers.map((p) => html`<${PeerLine} key=${p.peer} t=${t} p=${p} />`)}</ul>
    ${t.history.t.length > 1 ? html`<${SpeedGraph} history=${t.history} peers=${t.peers.map((p) => p.peer)} label=${`Speed of ${t.name} over time`} />` : ''}
    ${active ? html`<button type="button" class="cancel" onClick=${cancel} aria-label=${`Cancel the download of ${t.name}`}>Cancel</button>` : ''}
    ${cancelError ? html`<p class="error" role="alert">${cancelError}</p>` : ''}
    ${t.error ? html`<p class="error" role="alert">${t.error.text}</p>` : ''}
    ${t.state === 'done' ? html`<p class="done lines" role="status">${t.lines.join('\n')}</p>` : ''}
  </article>`;
}

export function TransfersView({ live }) {
  const list = [...live.transfers.values()].reverse();
  return html`<section>
    <${LimitsPanel} limits=${live.limits} />
    ${list.length === 0 ? html`<p>No downloads yet: pick a file in <a href="#files">Files on the mesh</a>.</p>` : ''}
    ${list.map((t) => html`<${TransferCard} key=${t.id} t=${t} />`)}
  </section>`;
}
