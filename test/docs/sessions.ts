/**
 * The sessions of docs/PROTOCOL.md ("Sessions"): fenced blocks whose info string starts with
 * `text session`, read into the bytes a client sends and the frames it must get back. Pure:
 * no sockets, no files.
 *
 *   ```text session p1 secure tls=p2 from=127.0.0.2 serve-to=mesh
 *   > HELLO 1 0 txtmesh/1 p2          sent, each line ending with LF
 *   < OK 1 0 txtmesh/1 peer=p1         answered; a body follows its header on the next lines
 *   < [hex d9014c…]                    a body given as hex
 *   < [262144 bytes, SHA-256 889f…]    a body given as its length and hash
 *   ```
 */
import { createHash } from 'node:crypto';

export interface Session {
  /** 1-based line of the opening fence, for test names. */
  readonly line: number;
  /** The peer folder of example/ whose server is asked. */
  readonly peer: string;
  /** Every peer has an identity and a fingerprint in the settings (mutual TLS). */
  readonly secure: boolean;
  /** Connect over TLS with this peer's certificate, or with none ('none'); plain TCP if unset. */
  readonly tls?: string;
  /** Local address to connect from. */
  readonly from?: string;
  /** The server's --serve-to. */
  readonly serveTo?: string;
  /** The server runs with --refuse-replace. */
  readonly refuseReplace: boolean;
  readonly send: Buffer;
  readonly expect: readonly ExpectedFrame[];
}

/** A body as a session shows it: its text, its bytes in hex, or its length and SHA-256. */
export type ExpectedBody = { kind: 'text'; text: string } | { kind: 'hex'; hex: string } | { kind: 'hash'; bytes: number; sha256: string };

export interface ExpectedFrame {
  readonly header: string;
  readonly body: ExpectedBody;
}

export interface Frame {
  readonly header: string;
  readonly body: Buffer;
}

const HEX_BODY = /^\[hex ([0-9a-f]+)\]$/;
const HASH_BODY = /^\[(\d+) bytes, SHA-256 ([0-9a-f]{64})\]$/;

/** Every session in a markdown text, in order. */
export function parseSessions(markdown: string): Session[] {
  const lines = markdown.split('\n');
  const sessions: Session[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```text session (.+)$/.exec(lines[i] as string);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && lines[i] !== '```') body.push(lines[i] as string);
    if (i === lines.length) throw new Error(`session at line ${start + 1} is not closed`);
    sessions.push(session(start + 1, (open[1] as string).split(' '), body));
  }
  return sessions;
}

function session(line: number, words: string[], body: string[]): Session {
  const [peer = '', ...flags] = words;
  const option = (key: string) => flags.find((f) => f.startsWith(`${key}=`))?.slice(key.length + 1);
  for (const flag of flags) {
    if (flag !== 'secure' && flag !== 'refuse-replace' && !/^(tls|from|serve-to)=./.test(flag)) throw new Error(`session at line ${line}: unknown option ${flag}`);
  }
  const sent = body.filter((l) => l.startsWith('>')).map((l) => l.replace(/^> ?/, ''));
  const answered = body.filter((l) => l.startsWith('<')).map((l) => l.replace(/^< ?/, ''));
  if (body.some((l) => !l.startsWith('>') && !l.startsWith('<'))) throw new Error(`session at line ${line}: every line must start with > or <`);
  return {
    line,
    peer,
    secure: flags.includes('secure'),
    tls: option('tls'),
    from: option('from'),
    serveTo: option('serve-to'),
    refuseReplace: flags.includes('refuse-replace'),
    send: Buffer.from(sent.map((l) => l + '\n').join(''), 'utf8'),
    expect: expectedFrames(line, answered),
  };
}

/**
 * The frames the `<` lines stand for. A text body is the lines after its header, each with its
 * LF, until the header's length is reached; if that leaves one LF over, the body did not end
 * with one and the line break was only for display.
 */
export function expectedFrames(line: number, lines: readonly string[]): ExpectedFrame[] {
  const frames: ExpectedFrame[] = [];
  for (let i = 0; i < lines.length; ) {
    const header = lines[i++] as string;
    const length = Number(header.split(' ')[2]);
    if (!Number.isSafeInteger(length)) throw new Error(`session at line ${line}: no body length in ${JSON.stringify(header)}`);
    const next = lines[i] ?? '';
    const hex = HEX_BODY.exec(next);
    const hash = HASH_BODY.exec(next);
    if (length > 0 && hex) {
      frames.push({ header, body: { kind: 'hex', hex: hex[1] as string } });
      i++;
    } else if (length > 0 && hash) {
      frames.push({ header, body: { kind: 'hash', bytes: Number(hash[1]), sha256: hash[2] as string } });
      i++;
    } else {
      let text = '';
      while (Buffer.byteLength(text) < length && i < lines.length) text += `${lines[i++]}\n`;
      const size = Buffer.byteLength(text);
      if (size === length + 1) text = text.slice(0, -1);
      else if (size !== length) throw new Error(`session at line ${line}: the body after ${JSON.stringify(header)} is not ${length} bytes`);
      frames.push({ header, body: { kind: 'text', text } });
    }
  }
  return frames;
}

/** Splits what a server sent into frames (header line, then `length` body bytes). */
export function splitFrames(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  while (at < bytes.length) {
    const lf = bytes.indexOf(0x0a, at);
    if (lf < 0) throw new Error(`unterminated header: ${JSON.stringify(bytes.subarray(at).toString('utf8'))}`);
    const header = bytes.subarray(at, lf).toString('utf8');
    const length = Number(header.split(' ')[2]);
    if (!Number.isSafeInteger(length) || lf + 1 + length > bytes.length) throw new Error(`bad or cut-off frame after ${JSON.stringify(header)}`);
    frames.push({ header, body: bytes.subarray(lf + 1, lf + 1 + length) });
    at = lf + 1 + length;
  }
  return frames;
}

/** A frame as a session line shows it, the body written the way `like` writes its own. */
export function showFrame(header: string, body: Buffer | ExpectedBody, like: ExpectedBody | undefined): string {
  if (!Buffer.isBuffer(body)) return `${header}\n${showExpected(body)}`;
  if (like?.kind === 'hex') return `${header}\n[hex ${body.toString('hex')}]`;
  if (like?.kind === 'hash') return `${header}\n[${body.length} bytes, SHA-256 ${createHash('sha256').update(body).digest('hex')}]`;
  return `${header}\n${body.toString('utf8')}`;
}

function showExpected(body: ExpectedBody): string {
  if (body.kind === 'hex') return `[hex ${body.hex}]`;
  if (body.kind === 'hash') return `[${body.bytes} bytes, SHA-256 ${body.sha256}]`;
  return body.text;
}
