// #PEERS: every peer in the settings, asked now: online, round trip, files, version, identity.
import { html } from '../html.js';
import { ms, problem } from '../format.js';
import { useFetch } from '../use-fetch.js';

export function Refresh({ reload, loading, what }) {
  return html`<button type="button" onClick=${reload} disabled=${loading} aria-label=${`Refresh ${what}`}>${loading ? 'Asking…' : 'Refresh'}</button>`;
}

function PeerRow({ p, secure }) {
  const notes = [...(p.self ? ['this peer'] : []), ...(p.announced !== null && p.announced !== p.peer ? [`answers as ${p.announced}!`] : [])];
  return html`<tr class=${p.online ? '' : 'offline'} data-peer=${p.peer}>
    <th scope="row">${p.peer}</th>
    <td><code>${p.address}</code></td>
    <td><span class=${`state ${p.online ? 'ok' : 'bad'}`}>${p.online ? 'online' : 'offline'}</span></td>
    <td class="num">${ms(p.rttMs)}</td>
    <td class="num">${p.files ?? '-'}</td>
    <td>${p.version ?? '-'}</td>
    ${secure ? html`<td>${p.identity === null ? '-' : html`<code title=${p.identity}>${p.identity.slice(0, 16)}…</code> verified`}</td>` : ''}
    <td>${notes.join('; ')}${p.error ? html`${notes.length ? '; ' : ''}<span class="error">${problem(p.error)}</span>` : ''}</td>
  </tr>`;
}

export function PeersView() {
  const { data, error, loading, reload } = useFetch('./api/peers', 10_000);
  const result = data?.result;
  const secure = result?.mode === 'secure';
  const online = result ? result.peers.filter((p) => p.online).length : 0;
  return html`<section aria-describedby="peers-note">
    <div class="toolbar"><${Refresh} reload=${reload} loading=${loading} what="peers" />
      ${result ? html`<span>${online} of ${result.peers.length} peers online</span>` : ''}</div>
    ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
    ${result ? html`<p id="peers-note" class="note">${data.lines[0]}</p>
      <div class="scroll"><table id="peers-table">
        <caption class="sr-only">Peers of this mesh</caption>
        <thead><tr><th scope="col">peer</th><th scope="col">address</th><th scope="col">status</th><th scope="col">rtt</th><th scope="col">files</th><th scope="col">version</th>${secure ? html`<th scope="col">identity</th>` : ''}<th scope="col">notes</th></tr></thead>
        <tbody>${result.peers.map((p) => html`<${PeerRow} key=${p.peer} p=${p} secure=${secure} />`)}</tbody>
      </table></div>` : loading ? html`<p>Asking every peer…</p>` : ''}
  </section>`;
}
