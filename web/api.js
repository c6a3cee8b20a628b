// Talking to this peer: JSON requests and the event stream. Every URL is relative, so it
// keeps the token that is the first segment of the page's own address.

/** A failure the peer answered with: `code` is stable, `text` is what the console prints. */
export class PeerError extends Error {
  constructor(error) {
    super(error.message);
    this.code = error.code;
    this.text = error.text;
  }
}

async function answer(response) {
  const body = await response.json().catch(() => ({ ok: false, error: { code: 'ERR_UI_BAD_ANSWER', message: `HTTP ${response.status}`, text: `the page got HTTP ${response.status} (ERR_UI_BAD_ANSWER)` } }));
  if (!body.ok) throw new PeerError(body.error);
  return body;
}

export async function getJson(path) {
  return answer(await fetch(path, { headers: { accept: 'application/json' } }));
}

export async function postJson(path, body) {
  return answer(await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
}

/** Sends a file's bytes to be served as `name`. */
export async function postFile(file, name) {
  const query = new URLSearchParams({ name, file: file.name });
  return answer(await fetch(`./api/share?${query}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: file }));
}

/** Opens the event stream; `handlers` maps event names to functions of the parsed data. */
export function listen(handlers, onState) {
  const source = new EventSource('./api/events');
  for (const [event, handle] of Object.entries(handlers)) source.addEventListener(event, (e) => handle(JSON.parse(e.data)));
  source.onopen = () => onState('live');
  source.onerror = () => onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  return source;
}

/** A failure as one line: the console's words, code included. */
export function errorText(err) {
  return err instanceof PeerError ? err.text : `${err.message} (the page could not reach this peer)`;
}
