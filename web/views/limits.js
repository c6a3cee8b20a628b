// This peer's rate limits (#LIMIT): what its downloads receive and its uploads send, set live.
// The server's own limit on what it sends is set in the server's console (limit up RATE).
import { useState } from 'preact/hooks';
import { errorText, postJson } from '../api.js';
import { bytes } from '../format.js';
import { html } from '../html.js';

const WHAT = { down: 'Download limit', up: 'Upload limit' };
const HINT = { down: 'every source of every download together', up: 'uploads from this page and #UPLOAD, every peer together' };

function limitText(rate) {
  return rate > 0 ? `${bytes(rate)}/s` : 'none';
}

function LimitField({ direction, limits }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const id = `limit-${direction}`;
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await postJson('./api/limits', { [direction]: text.trim() === '' ? '0' : text.trim() });
      setText('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const holding = limits.holding.includes(direction);
  return html`<form class="limit" onSubmit=${submit} data-direction=${direction}>
    <label for=${id}>${WHAT[direction]}</label>
    <span class="current" data-rate=${limits[direction]}>${limitText(limits[direction])}</span>
    ${holding ? html`<span class="held" role="status">holding a transfer back now</span>` : ''}
    <input id=${id} type="text" inputmode="text" value=${text} onInput=${(e) => setText(e.target.value)} placeholder="2M, 500k, 0 for none" aria-describedby=${`${id}-hint`} />
    <button type="submit" disabled=${busy}>Set</button>
    <span id=${`${id}-hint`} class="note">${HINT[direction]}</span>
    ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
  </form>`;
}

export function LimitsPanel({ limits }) {
  if (!limits) return '';
  return html`<section class="limits" aria-labelledby="limits-title">
    <h3 id="limits-title">Rate limits</h3>
    <${LimitField} direction="down" limits=${limits} />
    <${LimitField} direction="up" limits=${limits} />
    <p class="note">Rates are bytes a second, 1024-based, as #LIMIT takes them. The server's own limit on what it sends is its --max-upload-rate, or <code>limit up RATE</code> in its console.</p>
  </section>`;
}
