/**
 * What each console command is called, what it takes and what it does: one table shared by
 * #HELP, tab completion and the yargs subcommands, so the three never disagree. Pure data.
 */

/** What a command's arguments are, for tab completion: a file name, peer IDs, a command. */
export type ArgKind = 'name' | 'peers' | 'command' | 'path';

export interface CommandSpec {
  /** Upper-case, with the leading '#'. */
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** Longer text for `#HELP command`, one line per element. */
  readonly details: readonly string[];
  /** Kinds of the positional arguments; the last one repeats. */
  readonly args: readonly ArgKind[];
  /** The same command for scripts, or undefined (#HELP, #QUIT). */
  readonly subcommand?: string;
  /** Another name for the same command. */
  readonly aliasOf?: string;
}

export const COMMAND_SPECS: readonly CommandSpec[] = [
  {
    name: '#FILELIST',
    usage: '#FILELIST [peer ...]',
    summary: 'list the files those peers serve (all peers if none given)',
    details: [
      'Asks each peer in parallel, each with a deadline, for its files: name, size, identity.',
      'A peer that is down or silent is reported and the command counts as failed.',
    ],
    args: ['peers'],
    subcommand: 'txtmesh-client filelist [peer ...]',
  },
  {
    name: '#DISCOVER',
    usage: '#DISCOVER [peer ...]',
    summary: 'same as #FILELIST (the tracker-based cousin\'s name)',
    details: ['Another name for #FILELIST.'],
    args: ['peers'],
    subcommand: 'txtmesh-client discover [peer ...]',
    aliasOf: '#FILELIST',
  },
  {
    name: '#PEERS',
    usage: '#PEERS',
    summary: 'every peer in the settings: online or not, round-trip time, files served, version',
    details: [
      'Connects to every peer in the settings at once (this one too, if its server runs),',
      'times HELLO exchanges for the round-trip time (the faster of two) and counts the files a LIST returns.',
      'An offline peer is part of the answer, not a failure.',
      'The first line says whether the mesh is open or secure; in a secure mesh each peer\'s certificate',
      'fingerprint, verified in the TLS handshake against the settings, is shown.',
    ],
    args: [],
    subcommand: 'txtmesh-client peers',
  },
  {
    name: '#PING',
    usage: '#PING [peer ...]',
    summary: 'reachability and round-trip time (min/avg/max of several HELLOs) of those peers',
    details: [
      'Opens one connection per peer and times several HELLO exchanges on it (3 by default;',
      '`txtmesh-client ping --count N`). With no IDs, every other peer. Fails if a peer is unreachable.',
    ],
    args: ['peers'],
    subcommand: 'txtmesh-client ping [peer ...]',
  },
  {
    name: '#FILES',
    usage: '#FILES',
    summary: 'every file on the mesh, which peers hold it, and names held in conflicting versions',
    details: [
      'Lists every peer in parallel and groups the answers by name, then by identity.',
      'A name held in different versions by different peers is flagged CONFLICT, with the peers of each version.',
      'Peers that could not be listed are named; like #PEERS, that is part of the answer, not a failure.',
    ],
    args: [],
    subcommand: 'txtmesh-client files',
  },
  {
    name: '#DOWNLOAD',
    usage: '#DOWNLOAD name [peer ...]',
    summary: 'fetch a file in verified pieces from every listed peer that has it (every peer that has it if none given)',
    details: [
      'First asks the peers (in parallel) who holds the file; with no IDs, prints the peers found.',
      'Then pulls verified pieces from all of them at once. Versions are never mixed: the largest',
      'group of agreeing peers is used; with no majority the command stops (ERR_VERSION_CONFLICT).',
      'A different file already under that name here is never replaced (ERR_EXISTS).',
    ],
    args: ['name', 'peers'],
    subcommand: 'txtmesh-client download name [--from peer ...]',
  },
  {
    name: '#UPLOAD',
    usage: '#UPLOAD name peer [peer ...]',
    summary: 'push a file from this peer\'s served_files/ to those peers',
    details: [
      'Sends the file to each peer in parallel; each checks size and identity before keeping it,',
      'and never replaces a different file of that name (ERR_EXISTS). To send a file from',
      'elsewhere on disk, #SHARE it first.',
    ],
    args: ['name', 'peers'],
    subcommand: 'txtmesh-client upload name --to peer [peer ...]',
  },
  {
    name: '#SHARE',
    usage: '#SHARE path [name]',
    summary: 'copy a .txt file from anywhere on disk into served_files/ so this peer serves it',
    details: [
      'Copies the file to a hidden temp file in served_files/, then links it into place under',
      'name (default: the file\'s own name). A different file of that name is never replaced',
      '(ERR_EXISTS); the same file already there is fine.',
    ],
    args: ['path', 'name'],
    subcommand: 'txtmesh-client share path [name]',
  },
  {
    name: '#HELP',
    usage: '#HELP [command]',
    summary: 'list the commands, or explain one',
    details: ['#HELP alone lists the commands; #HELP DOWNLOAD explains #DOWNLOAD.'],
    args: ['command'],
  },
  { name: '#QUIT', usage: '#QUIT', summary: 'leave the console', details: ['End of input does the same.'], args: [] },
];

/** Looks a command up by any spelling: `download`, `DOWNLOAD`, `#Download`. */
export function findSpec(word: string): CommandSpec | undefined {
  const upper = word.toUpperCase();
  const name = upper.startsWith('#') ? upper : `#${upper}`;
  return COMMAND_SPECS.find((s) => s.name === name);
}
