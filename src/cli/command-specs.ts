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
  /** The subcommand's `--json` document, for its --help (docs/cli.md shows the same). */
  readonly json?: string;
  /** The subcommand's exit statuses, for its --help. */
  readonly exit?: string;
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
    json: '{command: "filelist", ok, exitCode, peers: [{peer, ok, files: [{name, size, identity}]} | {peer, ok: false, error: {code, message}}]}',
    exit: '0; 3 if a peer could not be listed; 2 for an unknown peer.',
  },
  {
    name: '#DISCOVER',
    usage: '#DISCOVER [peer ...]',
    summary: 'same as #FILELIST (the tracker-based cousin\'s name)',
    details: ['Another name for #FILELIST.'],
    args: ['peers'],
    subcommand: 'txtmesh-client discover [peer ...]',
    json: '{command: "discover", ok, exitCode, peers: [{peer, ok, files: [{name, size, identity}]} | {peer, ok: false, error: {code, message}}]}',
    exit: '0; 3 if a peer could not be listed; 2 for an unknown peer.',
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
    json: '{command: "peers", ok, exitCode, mode: "open"|"secure", peers: [{peer, address, self, online, rttMs, version, announced, anonymous, files, error, identity}]}; identity is the verified certificate fingerprint (secure mode) or null; anonymous: the peer serves this one as an anonymous reader (not in its settings).',
    exit: '0 (offline peers are part of the answer); 2 usage.',
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
    json: '{command: "ping", ok, exitCode, count, peers: [{peer, address, reachable, sent, received, connectMs, rttMs: {min, avg, max}, samples, version, announced, anonymous, error}]}',
    exit: '0; 3 if a peer did not answer; 2 usage.',
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
    json: '{command: "files", ok, exitCode, files: [{name, conflict, versions: [{identity, size, peers}]}], peers: [{peer, ok, files} | {peer, ok: false, error}]}',
    exit: '0 (unreachable peers are named in the answer); 2 usage.',
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
    json: '{command: "download", ok, exitCode, name, status: "downloaded"|"already", size, identity, seconds, searched, found, missing, unreachable, peers: [{peer, bytes, problem}]}; on failure {…, error, name, found, missing, unreachable, versions: [{identity, size, peers}]}',
    exit: '0; 2 usage; 3 no holder could be reached, or every source vanished; 4 nobody has it; 5 versions without a majority, or a different file here already; 6 bytes failed verification; 7 refused by every peer.',
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
    json: '{command: "upload", ok, exitCode, name, size, identity, peers: [{peer, status: "stored"|"same"|"failed", bytes, seconds, error}]}',
    exit: '0; 2 usage; 3 a peer unreachable; 4 the file is not served here (share it first); 5 a peer has a different file of that name.',
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
    json: '{command: "share", ok, exitCode, name, source, size, identity, status: "shared"|"already"}',
    exit: '0; 2 bad name; 4 no such file; 5 a different file is served under that name.',
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
