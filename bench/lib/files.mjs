// Test data and peer folders: random text files, SHA-256 of files, meshes of peer folders.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, linkSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CERT_FILE, IDENTITY_DIR, KEY_FILE, generateIdentity } from '../../dist/security/identity.js';

const LINE = 64; // 63 base64 characters and a newline

/** A block of random text: base64 lines. Random, so nothing along the way can shortcut it. */
export function randomText(size) {
  const text = Buffer.from(randomBytes(Math.ceil((size * 3) / 4) + 3).toString('base64').slice(0, size), 'latin1');
  for (let i = LINE - 1; i < text.length; i += LINE) text[i] = 0x0a;
  return text;
}

/** Writes `size` bytes of random text to `path` and fsyncs it; returns their SHA-256 (hex). */
export function writeTextFile(path, size) {
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    const CHUNK = 4 * 1024 * 1024;
    for (let written = 0; written < size; ) {
      const block = randomText(Math.min(CHUNK, size - written));
      hash.update(block);
      for (let off = 0; off < block.length; ) off += writeSync(fd, block, off, block.length - off);
      written += block.length;
    }
    // On disk before anything is timed: otherwise the kernel writes these pages back (after
    // 30 s) in the middle of a measurement.
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** SHA-256 (hex) of a file. */
export async function sha256File(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk);
  return hash.digest('hex');
}

/** Removes temp files a killed download may leave (.name.….txtmesh-part). */
export function removeHidden(dir) {
  for (const name of readdirSync(dir)) if (name.startsWith('.')) rmSync(join(dir, name), { force: true });
}

const roots = new Set();

/** A fresh folder under the system temp dir, removed by removeRoots(). */
export function benchRoot(label) {
  const root = mkdtempSync(join(tmpdir(), `txtmesh-bench-${label}-`));
  roots.add(root);
  return root;
}

/** Removes every folder benchRoot() made (synchronous: safe in an 'exit' handler). */
export function removeRoots() {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
  roots.clear();
}

/**
 * A mesh of peer folders under `root`: root/<id>/served_files for each peer and the settings
 * file root/peer_settings.txt. `peers`: [{ id, host, port }].
 */
/** Set by `--secure`: every mesh gives each peer an identity and lists its fingerprint. */
let secure = false;
export function useSecureMeshes(on) {
  secure = on;
}
export function secureMeshes() {
  return secure;
}

export class Mesh {
  constructor(root, peers) {
    this.root = root;
    this.peers = peers.map((p) => ({ ...p }));
    for (const p of this.peers) {
      mkdirSync(this.served(p.id), { recursive: true });
      if (secure) p.fingerprint = writeIdentity(join(this.dir(p.id), IDENTITY_DIR), p.id);
    }
    this.writeSettings();
  }

  dir(id) {
    return join(this.root, id);
  }

  served(id) {
    return join(this.root, id, 'served_files');
  }

  setPort(id, port) {
    this.peers.find((p) => p.id === id).port = port;
    this.writeSettings();
  }

  writeSettings() {
    const line = (p) => `${p.id} ${p.host} ${p.port}${p.fingerprint ? ` ${p.fingerprint}` : ''}`;
    writeFileSync(join(this.root, 'peer_settings.txt'), this.peers.map(line).join('\n') + '\n');
  }

  /** Puts the same file into several peers' folders as hard links: one copy on disk and in cache. */
  share(source, name, ids) {
    for (const id of ids) {
      const target = join(this.served(id), name);
      if (target !== source) linkSync(source, target);
    }
  }
}

/** Writes a new identity (key 0600, certificate) into `dir`; returns its fingerprint. */
function writeIdentity(dir, peerId) {
  const identity = generateIdentity({ peerId });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, KEY_FILE), identity.key, { mode: 0o600 });
  writeFileSync(join(dir, CERT_FILE), identity.cert);
  return identity.fingerprint;
}
