/** The page's limits, apart from the code that enforces them so the command line can name them cheaply. */

/** Largest file the page accepts for sharing unless told otherwise (--ui-max-share): 64 MiB. */
export const DEFAULT_MAX_SHARE_BYTES = 64 * 1024 * 1024;
