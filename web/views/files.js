// #FILES: every file on the mesh, by name and version, with its holders; download from all
// of them or from the peers picked.
import { useState } from 'preact/hooks';
import { errorText, postJson } from '../api.js';
import { bytes, problem } from '../format.js';
import { html } from '../html.js';
import { useFetch } from '../use-fetch.js';
import { Refresh } from './peers.js';

/** Checkboxes for peers; `picked` is a Set, `onToggle(peer)` flips one. */
export function PeerPicker({ peers, picked, onToggle, label }) {
  return html`<fieldset class="picker"><legend class="sr-only">${label}</legend>
    ${peers.map((p) => html`<label key=${p}><input type="checkbox" checked=${picked.has(p)} onChange=${() => onToggle(p)} /> ${p}</label>`)}
  </fieldset>`;
}

function VersionRow({ file, version, index, me, onDownload }) {
  const [picked, setPicked] = useState(new Set());
  const holders = version.peers.filter((p) => p !== me);
  const toggle = (p) => setPicked((s) => {
    const next = new Set(s);
    if (!next.delete(p)) next.add(p);
    return next;
  });
  // A name in several versions: "all" means every holder of this version, never a mix.
  const from = picked.size > 0 ? [...picked] : file.conflict ? holders : [];
  const label = `${file.name}${file.conflict ? `, version ${index + 1}` : ''}`;
  return html`<tr class=${file.conflict ? 'conflict' : ''} data-file=${file.name} data-identity=${version.identity}>
    <th scope="row">${file.name}</th>
    <td class="num">${bytes(version.size)}</td>
    <td><code title=${version.identity}>${version.identity.slice(0, 12)}</code>
      ${file.conflict ? html` <span class="state bad">CONFLICT: version ${index + 1} of ${file.versions.length}</span>` : ''}</td>
    <td>${version.peers.includes(me) ? html`<span class="state ok">this peer has it</span> ` : ''}
      ${holders.length > 0 ? html`<${PeerPicker} peers=${holders} picked=${picked} onToggle=${toggle} label=${`Peers to download ${label} from`} />` : ''}</td>
    <td>${holders.length > 0
      ? html`<button type="button" onClick=${() => onDownload(file.name, from)} aria-label=${`Download ${label} from ${from.length ? from.join(', ') : 'every peer that has it'}`}>
          ${picked.size > 0 ? `Download from ${picked.size} picked` : file.conflict ? 'Download this version' : 'Download from all'}</button>`
      : ''}</td>
  </tr>`;
}

export function FilesView({ peer }) {
  const { data, error, loading, reload } = useFetch('./api/files');
  const [action, setAction] = useState(null);
  const onDownload = async (name, from) => {
    setAction(null);
    try {
      await postJson('./api/download', { name, from });
      location.hash = '#transfers';
    } catch (err) {
      setAction(errorText(err));
    }
  };
  const result = data?.result;
  const unlisted = result ? result.peers.filter((p) => !p.ok) : [];
  return html`<section>
    <div class="toolbar"><${Refresh} reload=${reload} loading=${loading} what="files" />
      ${data ? html`<span>${data.lines[0]}</span>` : ''}</div>
    ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
    ${action ? html`<p class="error" role="alert">${action}</p>` : ''}
    ${result ? html`<div class="scroll"><table id="files-table">
        <caption class="sr-only">Files on the mesh, one row per version</caption>
        <thead><tr><th scope="col">name</th><th scope="col">size</th><th scope="col">version</th><th scope="col">held by (pick to choose)</th><th scope="col"><span class="sr-only">action</span></th></tr></thead>
        <tbody>${result.files.flatMap((f) => f.versions.map((v, i) => html`<${VersionRow} key=${`${f.name} ${v.identity}`} file=${f} version=${v} index=${i} me=${peer.id} onDownload=${onDownload} />`))}</tbody>
      </table></div>
      ${unlisted.length > 0 ? html`<ul class="problems">${unlisted.map((p) => html`<li class="error" data-peer=${p.peer}>${p.peer}: unreachable: ${problem(p.error)}</li>`)}</ul>` : ''}`
    : loading ? html`<p>Asking every peer for its files…</p>` : ''}
  </section>`;
}
