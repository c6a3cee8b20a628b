/**
 * What each console command is called, what it takes and what it does: one table shared by
 * #HELP, tab completion and the yargs subcommands, so the three never disagree. Pure data.
 */

/** What a command's arguments are, for tab completion: a file name, peer IDs, a command. */
export type ArgKind = 'name' | 'peers' | 'command' | 'path' | 'identity' | 'direction';

/**
 * An option a command takes after its words, the same in the console and as a subcommand
 * (`--replace`; `--version ID`; `--from p1 p2`, which takes words up to the next option).
 */
export interface CommandOption {
  readonly name: string;
  readonly takes: 'nothing' | 'one' | 'many';
  /** What it takes, for --help (`ID`, `peer`). */
  readonly value?: string;
  readonly describe: string;
}

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
  /** Options after the words (console and subcommand alike). */
  readonly options?: readonly CommandOption[];
  /** Other words the console takes for it (the cousin design's: FETCH, PUBLISH, LIST, EXIT). */
  readonly aliases?: readonly string[];
}

const REPLACE_UPLOAD: CommandOption = { name: 'replace', takes: 'nothing', describe: 'replace another version of the name at those peers (each keeps the old one in its versions area)' };

export const COMMAND_SPECS: readonly CommandSpec[] = [
  {
    name: '#FILELIST',
    usage: '#FILELIST [peer ...]',
    summary: 'list the files those peers serve (all peers if none given)',
    details: [
      'Asks each peer in parallel, each with a deadline, for its files: name, size, identity.',
      'A peer that is down or silent is reported and the command counts as failed; a silent one is waited for',
      'a little longer than the others took, not until --timeout.',
    ],
    args: ['peers'],
    subcommand: 'txtmesh-client filelist [peer ...]',
    aliases: ['LIST'],
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
      'times the HELLO exchange for the round-trip time and counts the files a LIST (pipelined behind it) returns.',
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
    summary: 'every file on the mesh, which peers hold it, which version this peer has and which are newer',
    details: [
      'Lists every peer in parallel and groups the answers by name, then by identity.',
      'A name held in different versions by different peers is flagged CONFLICT, with the peers of each version.',
      'HERE marks the version this peer holds; NEWER a version changed later than it: each holder says when',
      'its copy last changed, by its own clock (clocks may differ), and a version counts from its earliest holder.',
      'Peers that could not be listed are named; like #PEERS, that is part of the answer, not a failure.',
    ],
    args: [],
    subcommand: 'txtmesh-client files',
    json: '{command: "files", ok, exitCode, files: [{name, conflict, here, versions: [{identity, size, peers, changed, here, newer}]}], peers: [{peer, ok, files} | {peer, ok: false, error}]}',
    exit: '0 (unreachable peers are named in the answer); 2 usage.',
  },
  {
    name: '#DOWNLOAD',
    usage: '#DOWNLOAD name ... [peer ...] [--replace] [--version ID]',
    summary: 'fetch files in verified pieces from every listed peer that has them (every peer that has them if none given)',
    details: [
      'First asks the peers (in parallel) who holds the file; with no IDs, prints the peers found.',
      'Then pulls verified pieces from all of them at once. Versions are never mixed: the largest',
      'group of agreeing peers is used; with no majority the command stops (ERR_VERSION_CONFLICT):',
      'pick one with --version and the first digits of its identity.',
      'Several names, or a glob (\'notes/*.txt\'), fetch several files, a few at once. Words that end',
      'in .txt or hold * ? [ are names; the others are peer IDs (or use --from).',
      'If this peer already has a version of the name, it says which, and which the peers hold, and',
      'keeps its own; --replace (or --version) fetches theirs, and keeps this peer\'s in its versions area.',
    ],
    args: ['name', 'peers'],
    subcommand: 'txtmesh-client download name ... [--from peer ...] [--replace] [--version ID]',
    json: '{command: "download", ok, exitCode, name, status: "downloaded"|"already"|"replaced", size, identity, seconds, searched, found, missing, unreachable, peers: [{peer, bytes, problem}], kept, others}; on failure {…, error, name, found, missing, unreachable, versions: [{identity, size, peers}]}; several names: {command, ok, exitCode, files: [one of those per file]}',
    exit: '0; 2 usage; 3 no holder could be reached, or every source vanished; 4 nobody has it; 5 versions without a majority; 6 bytes failed verification; 7 refused by every peer; with several files, the worst.',
    options: [
      { name: 'from', takes: 'many', value: 'peer', describe: 'peer IDs to download from (default: every peer that has it)' },
      { name: 'replace', takes: 'nothing', describe: 'if this peer has another version, replace it (it is kept in served_files/.txtmesh/versions/)' },
      { name: 'version', takes: 'one', value: 'ID', describe: 'fetch the version whose identity starts with ID (replacing another one here, which is kept)' },
    ],
    aliases: ['FETCH'],
  },
  {
    name: '#UPLOAD',
    usage: '#UPLOAD name peer [peer ...] [--replace]',
    summary: 'push a file from this peer\'s served_files/ to those peers',
    details: [
      'Sends the file to each peer in parallel; each checks size and identity before keeping it.',
      'A peer with a different file of that name keeps it (ERR_EXISTS) unless --replace is given:',
      'then the upload takes the name and the peer keeps the old version in its versions area',
      '(#VERSIONS name peer lists them). To send a file from elsewhere on disk, #SHARE it first.',
    ],
    args: ['name', 'peers'],
    subcommand: 'txtmesh-client upload name --to peer [peer ...] [--replace]',
    json: '{command: "upload", ok, exitCode, name, size, identity, peers: [{peer, status: "stored"|"same"|"replaced"|"failed", bytes, seconds, kept, error}]}',
    exit: '0; 2 usage; 3 a peer unreachable; 4 the file is not served here (share it first); 5 a peer has a different file of that name (and no --replace, or it refuses replacing).',
    options: [{ name: 'to', takes: 'many', value: 'peer', describe: 'peer IDs to upload to (the same as naming them after the name)' }, REPLACE_UPLOAD],
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
    json: '{command: "share", ok, exitCode, name, source, size, identity, status: "shared"|"already", serving}',
    exit: '0; 2 bad name; 4 no such file; 5 a different file is served under that name.',
    aliases: ['PUBLISH'],
  },
  {
    name: '#UNSHARE',
    usage: '#UNSHARE name',
    summary: 'stop serving a file: it moves to the versions area, nothing is deleted',
    details: [
      'Moves served_files/name into served_files/.txtmesh/versions/, which is never served, with its',
      'identity and the time; #RESTORE name identity brings it back. Other peers keep their copies.',
    ],
    args: ['name'],
    subcommand: 'txtmesh-client unshare name',
    json: '{command: "unshare", ok, exitCode, name, identity, size, at}',
    exit: '0; 2 bad name; 4 not served here.',
  },
  {
    name: '#VERSIONS',
    usage: '#VERSIONS name [peer ...]',
    summary: 'the versions of a file this peer holds (with peer IDs: those peers hold): current and kept',
    details: [
      'Lists the version under the name and the ones kept in the versions area (replaced by an upload',
      'or a download with --replace, or unshared), newest first, with identity, size and time.',
      'With peer IDs, asks those peers instead (in parallel). #RESTORE name identity brings one back.',
    ],
    args: ['name', 'peers'],
    subcommand: 'txtmesh-client versions name [peer ...]',
    json: '{command: "versions", ok, exitCode, name, peers: [{peer, self, ok, versions: [{identity, size, time, state: "current"|"replaced"|"unshared"}]} | {peer, self, ok: false, error}]}',
    exit: '0; 2 usage; 3 a peer could not be asked.',
  },
  {
    name: '#RESTORE',
    usage: '#RESTORE name identity',
    summary: 'bring back a kept version of a file (the current one is kept in turn)',
    details: [
      'identity: the kept version\'s identity or its first hex digits, as #VERSIONS shows it. The kept',
      'file is checked against its identity, then takes the name; the version it replaces is kept.',
    ],
    args: ['name', 'identity'],
    subcommand: 'txtmesh-client restore name identity',
    json: '{command: "restore", ok, exitCode, name, status: "restored"|"current", identity, size, kept}',
    exit: '0; 2 usage (a prefix of several versions); 4 no such kept version; 6 the kept file changed on disk.',
  },
  {
    name: '#LIMIT',
    usage: '#LIMIT [up RATE] [down RATE]',
    summary: 'show or set this console\'s rate limits: what downloads receive (down) and uploads send (up)',
    details: [
      'RATE is bytes a second, 1024-based: 2M, 500k, 65536; 0 (or none) lifts the limit. #LIMIT alone shows',
      'both, and whether one is holding a transfer back now. down paces every source of every download',
      'together (reading stops while ahead of the rate); up paces #UPLOAD to all peers together. They start',
      'from --max-download-rate and --max-upload-rate. The server\'s own limit on what it sends is its',
      '--max-upload-rate, or "limit up RATE" in the server console.',
    ],
    args: ['direction'],
  },
  {
    name: '#HELP',
    usage: '#HELP [command]',
    summary: 'list the commands, or explain one',
    details: ['#HELP alone lists the commands; #HELP DOWNLOAD explains #DOWNLOAD.'],
    args: ['command'],
  },
  { name: '#QUIT', usage: '#QUIT', summary: 'leave the console', details: ['End of input does the same.'], args: [], aliases: ['EXIT'] },
];

/** Looks a command up by any spelling: `download`, `DOWNLOAD`, `#Download`, or an alias (`fetch`). */
export function findSpec(word: string): CommandSpec | undefined {
  const upper = word.toUpperCase();
  const name = upper.startsWith('#') ? upper : `#${upper}`;
  return COMMAND_SPECS.find((s) => s.name === name) ?? COMMAND_SPECS.find((s) => s.aliases?.some((a) => `#${a}` === name));
}
