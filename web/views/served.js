// This peer's served folder: its files, upload one to picked peers, and share a file from
// this computer (picked or dropped; the peer serves it under the name given).
import { useEffect, useState } from 'preact/hooks';
import { errorText, postFile, postJson } from '../api.js';
import { bytes, problem } from '../format.js';
import { html } from '../html.js';
import { useFetch } from '../use-fetch.js';
import { PeerPicker } from './files.js';
import { Refresh } from './peers.js';

function Outcome({ peer, status, error }) {
  return html`<li data-peer=${peer} data-status=${status}><span class=${`state ${status === 'failed' ? 'bad' : 'ok'}`}>${status}</span> ${peer}${error ? html`: <span class="error">${problem(error)}</span>` : ''}</li>`;
}

function FileRow({ file, others }) {
  const [picked, setPicked] = useState(new Set());
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState(null);
  const toggle = (p) => setPicked((s) => {
    const next = new Set(s);
    if (!next.delete(p)) next.add(p);
    return next;
  });
  const send = async () => {
    setBusy(true);
    setOutcome(null);
    try {
      const { result } = await postJson('./api/upload', { name: file.name, to: [...picked] });
      setOutcome({ peers: result.peers });
    } catch (err) {
      setOutcome({ error: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  return html`<tr data-file=${file.name}>
    <th scope="row">${file.name}</th>
    <td class="num">${bytes(file.size)}</td>
    <td><code title=${file.identity}>${file.identity.slice(0, 12)}</code></td>
    <td><${PeerPicker} peers=${others} picked=${picked} onToggle=${toggle} label=${`Peers to upload ${file.name} to`} />
      <button type="button" disabled=${busy || picked.size === 0} onClick=${send} aria-label=${`Upload ${file.name} to the picked peers`}>${busy ? 'Uploading…' : 'Upload'}</button>
      ${outcome?.error ? html`<p class="error" role="alert">${outcome.error}</p>` : ''}
      ${outcome?.peers ? html`<ul class="outcomes" aria-label=${`Upload results for ${file.name}`}>${outcome.peers.map((o) => html`<${Outcome} key=${o.peer} ...${o} />`)}</ul>` : ''}</td>
  </tr>`;
}

const WHY = { replaced: 'replaced', unshared: 'unshared' };

/** The versions this peer keeps in its versions area (never served), as #VERSIONS lists them. */
function KeptVersions({ kept }) {
  return html`<section class="kept" aria-labelledby="kept-title">
    <h3 id="kept-title">Kept versions</h3>
    <p class="note">Versions replaced by an upload or a download with --replace, or unshared: kept in <code>served_files/.txtmesh/versions/</code>, never served. <code>#RESTORE name version</code> brings one back.</p>
    ${kept.length === 0 ? html`<p>None kept.</p>` : html`<div class="scroll"><table id="kept-table">
      <caption class="sr-only">Versions this peer keeps</caption>
      <thead><tr><th scope="col">name</th><th scope="col">version</th><th scope="col">size</th><th scope="col">kept since</th><th scope="col">why</th></tr></thead>
      <tbody>${kept.map((v) => html`<tr key=${`${v.name} ${v.identity} ${v.time}`} data-file=${v.name} data-identity=${v.identity}>
        <th scope="row">${v.name}</th><td><code title=${v.identity}>${v.identity.slice(0, 12)}</code></td><td class="num">${bytes(v.size)}</td>
        <td>${new Date(v.time).toLocaleString(undefined, { hour12: false })}</td><td>${WHY[v.state] ?? v.state}</td></tr>`)}</tbody>
    </table></div>`}
  </section>`;
}

function ShareBox({ maxBytes }) {
  const [file, setFile] = useState(null);
  const [name, setName] = useState('');
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);
  const choose = (f) => {
    if (!f) return;
    setFile(f);
    setName(f.name);
    setResult(null);
  };
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const { lines } = await postFile(file, name);
      setResult({ lines });
    } catch (err) {
      setResult({ error: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  const onDrop = (e) => {
    e.preventDefault();
    setOver(false);
    choose(e.dataTransfer.files[0]);
  };
  return html`<form class=${`share ${over ? 'over' : ''}`} onSubmit=${submit} onDragOver=${(e) => { e.preventDefault(); setOver(true); }} onDragLeave=${() => setOver(false)} onDrop=${onDrop} aria-labelledby="share-title">
    <h3 id="share-title">Share a file from this computer</h3>
    <p class="note">Pick a .txt file or drop it here (at most ${bytes(maxBytes)}); this peer copies it into its served folder, as #SHARE does.</p>
    <label>File <input id="share-file" type="file" accept=".txt,text/plain" onChange=${(e) => choose(e.target.files[0])} /></label>
    <label>Serve it as <input id="share-name" type="text" value=${name} onInput=${(e) => setName(e.target.value)} required placeholder="notes.txt" /></label>
    <button type="submit" disabled=${!file || busy || name === ''}>${busy ? 'Sharing…' : 'Share'}</button>
    ${result?.error ? html`<p class="error" role="alert">${result.error}</p>` : ''}
    ${result?.lines ? html`<p class="done lines" role="status">${result.lines.join('\n')}</p>` : ''}
  </form>`;
}

export function ServedView({ live, peer }) {
  const { data, error, loading, reload } = useFetch('./api/served');
  useEffect(() => {
    if (live.served) void reload();
  }, [live.served]);
  const others = peer.peers.filter((p) => p !== peer.id);
  return html`<section>
    <p class="note">Served from <code>${peer.dir}</code>; downloads land here.</p>
    <div class="toolbar"><${Refresh} reload=${reload} loading=${loading} what="served files" />
      ${data ? html`<span>${data.files.length} file${data.files.length === 1 ? '' : 's'}</span>` : ''}</div>
    ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
    ${data ? html`<div class="scroll"><table id="served-table">
      <caption class="sr-only">Files this peer serves</caption>
      <thead><tr><th scope="col">name</th><th scope="col">size</th><th scope="col">version</th><th scope="col">upload to</th></tr></thead>
      <tbody>${data.files.map((f) => html`<${FileRow} key=${f.name} file=${f} others=${others} />`)}</tbody>
    </table></div>` : ''}
    ${data ? html`<${KeptVersions} kept=${data.kept ?? []} />` : ''}
    <${ShareBox} maxBytes=${live.hello.maxShareBytes} />
  </section>`;
}
