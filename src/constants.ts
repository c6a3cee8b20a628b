/** Wire and storage constants. docs/PROTOCOL.md is the full description of each. */

/** Protocol name and version, sent in HELLO. */
export const PROTOCOL_VERSION = 'txtmesh/1';

/**
 * Piece size: files are hashed and verified in pieces of this many bytes (the last may be shorter).
 * 256 KiB keeps the hash list small (128 bytes per MiB) while a piece is still cheap to re-fetch
 * when a peer fails or lies. It is part of a file's identity, so it never changes within a version.
 */
export const PIECE_SIZE = 256 * 1024;

/** Length in bytes of one piece hash (SHA-256). */
export const HASH_BYTES = 32;

/** A file's identity, on the wire and on disk: a SHA-256 in 64 lower-case hex digits. */
export const IDENTITY_PATTERN = /^[0-9a-f]{64}$/;

/** Longest header line, terminator included. A longer one is a malformed frame. */
export const MAX_HEADER_BYTES = 4096;

/** Longest file name, in UTF-8 bytes after percent-decoding. */
export const MAX_NAME_BYTES = 1024;

/** Largest range one GET may ask for: 64 pieces. */
export const MAX_RANGE_BYTES = 64 * PIECE_SIZE;

/**
 * Largest body a client accepts for a LIST answer: about 40,000 files. A peer that answers
 * more costs a client no more than this (issue 12: 63 MiB took 10 s and 1 GB to take apart).
 */
export const MAX_LIST_BYTES = 4 * 1024 * 1024;

/** Largest file a server accepts by PUT unless told otherwise (--max-upload). */
export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 * 1024 * 1024;

/** Largest request id. */
export const MAX_REQUEST_ID = 0xffffffff;

/** Folder, inside a peer folder, whose *.txt files the peer serves. */
export const SERVED_DIR = 'served_files';
/** A peer's identity folder (secure mode), in its peer folder unless told otherwise. */
export const IDENTITY_DIR = 'identity';

/** Default settings file name, looked for in the peer folder's parent. */
export const SETTINGS_FILE = 'peer_settings.txt';

/** Client-side deadlines, in milliseconds. */
export const CONNECT_TIMEOUT_MS = 5000;
export const REQUEST_TIMEOUT_MS = 15000;

/** HELLOs timed per peer by #PING unless told otherwise. */
export const DEFAULT_PING_COUNT = 3;

/** Piece requests a downloader keeps in flight on one peer connection. */
export const PIPELINE_DEPTH = 4;

/** How many peers the client talks to at once for uploads and a download's holder search. */
export const PEER_CONCURRENCY = 16;

/**
 * How many peers a view (#PEERS, #FILES, #FILELIST, #PING) asks at once: a mesh of 100 in one
 * wave (a socket each, so the client then holds about 100 descriptors), larger ones in waves.
 */
export const VIEW_CONCURRENCY = 128;
