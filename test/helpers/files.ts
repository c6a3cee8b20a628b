/** Temp folders, files in them, what a folder says of a file, and free ports: the ground every test stands on. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PIECE_SIZE } from '../../src/constants.js';
import type { FileInfo } from '../../src/protocol/messages.js';
import { PieceHasher } from '../../src/storage/piece-hasher.js';
import { ServedFolder } from '../../src/storage/served-folder.js';

/** A fresh temp folder. */
export function tempDir(prefix = 'txtmesh-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Writes files (name → content) under a folder, creating subfolders. */
export async function writeFiles(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, ...name.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}

/** What a served folder says of a file with these bytes (INFO): size, identity, piece hashes. */
export function fileInfoOf(name: string, data: Buffer): FileInfo {
  const hasher = new PieceHasher(PIECE_SIZE);
  hasher.update(data);
  return { name, size: data.length, pieceSize: PIECE_SIZE, ...hasher.digest() };
}

/** A served folder at `dir` (created if missing), ready for downloads and uploads. */
export async function servedFolder(dir: string): Promise<ServedFolder> {
  const folder = new ServedFolder(dir);
  await folder.init();
  return folder;
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
