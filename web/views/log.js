// The log panel: what this page did, in the console's words, and the server's request log.
import { clock } from '../format.js';
import { html } from '../html.js';

function ServerLogNote({ status }) {
  if (!status) return html`<p class="note">No server log is followed.</p>`;
  if (status.found) return html`<p class="note">Following this peer's server log <code>${status.path}</code>.</p>`;
  return html`<p class="note">No server log at <code>${status.path}</code> (yet). A server runs in its own process; to see its requests here, start it in this peer folder with its output sent to that file (<code>txtmesh-server > server.log 2>&1</code>), or start this page with <code>--server-log FILE</code>.</p>`;
}

export function LogView({ live }) {
  const entries = [...live.log].reverse();
  return html`<section>
    <${ServerLogNote} status=${live.serverLog} />
    ${entries.length === 0 ? html`<p>Nothing yet.</p>` : ''}
    <ol class="log" aria-label="Log, newest first">
      ${entries.map((e, i) => html`<li key=${entries.length - i} class=${`${e.source}${e.code ? ' error' : ''}`} data-source=${e.source}>
        <time datetime=${new Date(e.at).toISOString()}>${clock(e.at)}</time>
        <span class="source">${e.source === 'server' ? 'server' : 'page'}</span>
        <span class="text">${e.text}</span></li>`)}
    </ol>
  </section>`;
}
