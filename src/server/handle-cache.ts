/**
 * Open files of one connection, kept between GETs of the same file (a downloader asks for one
 * piece after another). Each GET checks that the name still leads to the open file (same
 * inode), so a replaced or deleted file is not served from a stale handle: get() before
 * reading, or (range-reader.ts's quick path) peek() and stampOf() after.
 */
import { fstatSync, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { resolveName } from '../storage/names.js';
import type { FileStamp, ServedFolder } from '../storage/served-folder.js';

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
      if (this.stampOf(name)?.ino === cached.ino) return cached.handle;
      await this.drop(name);
    }
    const handle = await this.#folder.openFile(name);
    // Closed behind: a client fetching many small files one after another waits for none of it.
    if (this.#handles.size >= MAX_OPEN) void this.closeAll();
    // Sync: metadata of a file just opened, from the kernel's caches (see stampOfSync).
    this.#handles.set(name, { handle, ino: fstatSync(handle.fd).ino });
    return handle;
  }

  /** The file kept open for `name` and its inode, if any, unchecked: see stampOf(). */
  peek(name: string): { readonly handle: FileHandle; readonly ino: number } | undefined {
    return this.#handles.get(name);
  }

  /** The stamp of the file `name` leads to now, or undefined if there is none. */
  stampOf(name: string): FileStamp | undefined {
    try {
      // Sync: a metadata lookup of a path just used, from the kernel's caches (see stampOfSync).
      const st = statSync(resolveName(this.#folder.root, name));
      return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
    } catch {
      return undefined;
    }
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
