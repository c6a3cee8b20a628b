/**
 * Open files of one connection, kept between GETs of the same file (a downloader asks for one
 * piece after another). Each GET checks that the name still leads to the open file (same
 * inode), so a replaced or deleted file is not served from a stale handle.
 */
import { statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { resolveName } from '../storage/names.js';
import type { ServedFolder } from '../storage/served-folder.js';

/** Files one connection keeps open at most. */
const MAX_OPEN = 8;

export class HandleCache {
  readonly #folder: ServedFolder;
  readonly #handles = new Map<string, { handle: FileHandle; ino: number }>();

  constructor(folder: ServedFolder) {
    this.#folder = folder;
  }

  /** The open file for `name`, opened (or reopened, if the name now leads elsewhere) as needed. */
  async get(name: string): Promise<FileHandle> {
    const cached = this.#handles.get(name);
    if (cached) {
      // Sync: a metadata lookup of a path just used (see stampOfSync).
      let ino: number | undefined;
      try {
        ino = statSync(resolveName(this.#folder.root, name)).ino;
      } catch {
        ino = undefined;
      }
      if (ino === cached.ino) return cached.handle;
      await this.drop(name);
    }
    const handle = await this.#folder.openFile(name);
    if (this.#handles.size >= MAX_OPEN) await this.closeAll();
    this.#handles.set(name, { handle, ino: (await handle.stat()).ino });
    return handle;
  }

  /** Closes `name`'s handle (its file changed). */
  async drop(name: string): Promise<void> {
    const cached = this.#handles.get(name);
    this.#handles.delete(name);
    await cached?.handle.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const handles = [...this.#handles.values()];
    this.#handles.clear();
    await Promise.all(handles.map((h) => h.handle.close().catch(() => undefined)));
  }
}
