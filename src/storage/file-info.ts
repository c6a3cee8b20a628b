/**
 * The shapes of a served file (src/file-info.ts), where storage/ code looks for them.
 */
export type { FileEntry, FileInfo } from '../file-info.js';
