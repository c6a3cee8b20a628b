/**
 * #SHARE from the page: the browser sends a file's bytes, and this peer serves them under a
 * name. The name is checked before any byte is read (the same rules as every served name,
 * storage/names.ts), the body is capped (Content-Length up front, and counted as it arrives),
 * and the bytes land in a private temp folder first; then client/share.ts copies them into
 * served_files/ exactly as #SHARE does: hashed, fsynced, linked into place without replacing
 * a different file.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkName } from '../storage/names.js';
import type { ServedFolder } from '../storage/served-folder.js';
import { share } from '../client/share.js';
import type { ShareSummary } from '../client/results.js';
import { WebError } from './http.js';

/** Largest file the page accepts unless told otherwise (--ui-max-share): 64 MiB. */
export const DEFAULT_MAX_SHARE_BYTES = 64 * 1024 * 1024;

export interface ShareUpload {
  /** The name to serve it under. */
  readonly name: string;
  /** The file's name on the sending machine, for the log. */
  readonly fileName?: string;
  readonly maxBytes: number;
  readonly folder: ServedFolder;
}

function tooLarge(maxBytes: number): WebError {
  return new WebError('ERR_UI_TOO_LARGE', `the file is larger than the ${maxBytes} bytes the page accepts (--ui-max-share)`);
}

/** Counts bytes through, failing once more than `maxBytes` have come. */
function capped(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > maxBytes ? tooLarge(maxBytes) : null, chunk);
    },
  });
}

/**
 * Reads the request body into this peer's served folder as `name`.
 * @throws TxtmeshError ERR_BAD_NAME, ERR_EXISTS (a different file has the name); WebError ERR_UI_TOO_LARGE
 */
export async function receiveShare(req: IncomingMessage, upload: ShareUpload): Promise<ShareSummary> {
  checkName(upload.name);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > upload.maxBytes) throw tooLarge(upload.maxBytes);
  const dir = await mkdtemp(join(tmpdir(), 'txtmesh-ui-'));
  try {
    const path = join(dir, 'upload.txt');
    await pipeline(req, capped(upload.maxBytes), createWriteStream(path, { mode: 0o600 }));
    const summary = await share({ source: path, name: upload.name, folder: upload.folder });
    return { ...summary, source: `${upload.fileName ?? upload.name} (sent by the page)` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
