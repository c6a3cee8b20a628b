// The page of one txtmesh peer: its views, fed by this peer's event stream.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { listen } from './api.js';
import { html } from './html.js';
import { FilesView } from './views/files.js';
import { LogView } from './views/log.js';
import { PeersView } from './views/peers.js';
import { ServedView } from './views/served.js';
import { TransfersView } from './views/transfers.js';

const VIEWS = [
  { id: 'peers', title: 'Peers', View: PeersView },
  { id: 'files', title: 'Files on the mesh', View: FilesView },
  { id: 'served', title: 'This peer', View: ServedView },
  { id: 'transfers', title: 'Transfers', View: TransfersView },
  { id: 'log', title: 'Log', View: LogView },
];

function currentView() {
  const id = location.hash.slice(1);
  return VIEWS.some((v) => v.id === id) ? id : 'peers';
}

/** Everything the event stream tells: this peer, its transfers, its log, its served files. */
function useLive() {
  const [state, setState] = useState({ hello: null, transfers: new Map(), log: [], served: null, serverLog: null, limits: null, link: 'connecting' });
  useEffect(() => {
    const merge = (f) => setState((s) => ({ ...s, ...f(s) }));
    const source = listen(
      {
        hello: (h) => merge(() => ({ hello: h, transfers: new Map(h.transfers.map((t) => [t.id, t])), log: h.log, serverLog: h.serverLog, limits: h.limits })),
        limits: (limits) => merge(() => ({ limits })),
        transfer: (t) => merge((s) => ({ transfers: new Map(s.transfers).set(t.id, t) })),
        log: (entry) => merge((s) => ({ log: [...s.log.slice(-499), entry] })),
        served: (files) => merge(() => ({ served: files })),
        serverLog: (status) => merge(() => ({ serverLog: status })),
      },
      (link) => merge(() => ({ link })),
    );
    return () => source.close();
  }, []);
  return state;
}

function Nav({ view, live }) {
  const running = [...live.transfers.values()].filter((t) => t.state === 'running' || t.state === 'starting').length;
  const errors = live.log.filter((e) => e.code).length;
  return html`<nav aria-label="Views"><ul>
    ${VIEWS.map((v) => html`<li><a href=${`#${v.id}`} aria-current=${v.id === view ? 'page' : undefined}>${v.title}${
      v.id === 'transfers' && running > 0 ? html` <span class="badge" aria-label=${`${running} running`}>${running}</span>` : ''
    }${v.id === 'log' && errors > 0 ? html` <span class="badge bad" aria-label=${`${errors} errors`}>${errors}</span>` : ''}</a></li>`)}
  </ul></nav>`;
}

function App() {
  const [view, setView] = useState(currentView());
  const live = useLive();
  useEffect(() => {
    const onHash = () => setView(currentView());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.title = `${live.hello ? `${live.hello.peer.id} · ` : ''}${VIEWS.find((v) => v.id === view).title} · txtmesh`;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [view, live.hello]);
  const { View, title } = VIEWS.find((v) => v.id === view);
  const peer = live.hello?.peer;
  return html`
    <header>
      <h1>txtmesh <span class="peer">${peer ? peer.id : '…'}</span></h1>
      <p class="meta">
        ${peer ? html`${peer.mode} mesh · ${peer.peers.length} peers in <code>${peer.settingsPath}</code>` : 'connecting to this peer…'}
        <span class=${`link ${live.link}`} role="status">${live.link === 'live' ? 'live' : live.link === 'connecting' ? 'connecting…' : 'reconnecting to this peer…'}</span>
      </p>
      <${Nav} view=${view} live=${live} />
    </header>
    <main id="main" tabindex="-1" aria-labelledby="view-title">
      <h2 id="view-title">${title}</h2>
      ${peer ? html`<${View} live=${live} peer=${peer} />` : html`<p>Waiting for this peer…</p>`}
    </main>`;
}

const root = document.getElementById('app');
root.textContent = ''; // the "Loading" note
render(html`<${App} />`, root);
