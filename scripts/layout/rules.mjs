// The layout rules of issue 9 and docs/design.md, as data and a few functions over the files
// that source.mjs read. Each rule returns findings: { kind, file, line, key, message, size? },
// `key` naming the finding the way an entry in the exceptions list does.

/** A source file's most lines, a function's most lines. */
export const MAX_FILE_LINES = 300;
export const MAX_FUNCTION_LINES = 60;

/**
 * The import rule, outermost layer first. A file may import a file of a later (inner) layer,
 * or a file of its own group in its own layer; nothing else. A folder is a group: client/ and
 * server/ share a layer and so may not import each other (the engine and the server are apart;
 * both sit below the console), and protocol/, storage/, transport/ and security/ do not import
 * each other. The programs server.ts and client.ts sit on top (they parse options and hand
 * over to cli/) and do not import each other. index.ts, the engine API, stands beside cli/ and
 * web/: it exports the engine, not the console, and the console does not go through it.
 * settings.ts, errors.ts, constants.ts, options.ts (checking option values) and file-info.ts (a file's
 * shapes) form one group
 * at the bottom.
 */
export const LAYERS = [
  { name: 'programs', groups: { 'server.ts': ['server.ts'], 'client.ts': ['client.ts'] } },
  { name: 'console and engine API', groups: { 'cli/': ['cli/'], 'web/': ['web/'], 'index.ts': ['index.ts'] } },
  { name: 'engine and server', groups: { 'client/': ['client/'], 'server/': ['server/'] } },
  {
    name: 'parts',
    groups: { 'protocol/': ['protocol/'], 'storage/': ['storage/'], 'transport/': ['transport/'], 'security/': ['security/'] },
  },
  { name: 'base', groups: { base: ['settings.ts', 'errors.ts', 'constants.ts', 'options.ts', 'file-info.ts'] } },
];

/** The wire codec is pure (STYLE.md guideline 2): no I/O module under these folders (with or without `node:`). */
export const PURE = { 'protocol/': ['net', 'tls', 'fs', 'fs/promises', 'dgram', 'http', 'https', 'child_process'] };

/** Where a path (relative to src/) stands: its layer's index and its group; undefined if nowhere. */
export function placeOf(srcPath) {
  for (const [index, layer] of LAYERS.entries()) {
    for (const [group, members] of Object.entries(layer.groups)) {
      if (members.some((m) => (m.endsWith('/') ? srcPath.startsWith(m) : srcPath === m))) return { index, group, layer: layer.name };
    }
  }
  return undefined;
}

/**
 * Imports that point outward or sideways, files in no layer, I/O in a pure folder.
 * @param sources {{ rel: string, src: string, info: import('./source.mjs').SourceInfo }[]}
 *   rel: path from the repo root; src: path from src/
 * @param relOf {(path: string) => string} an absolute path as a path from the repo root
 */
export function importFindings(sources, relOf) {
  const findings = new Map();
  const add = (finding) => findings.has(finding.key) || findings.set(finding.key, finding);
  for (const { rel, src, info } of sources) {
    const from = placeOf(src);
    if (!from) {
      add({ kind: 'layer', file: rel, line: 1, key: rel, message: `is in no layer: add its place to LAYERS in scripts/layout/rules.mjs` });
      continue;
    }
    for (const imp of info.imports) {
      const banned = Object.entries(PURE).find(([dir, mods]) => src.startsWith(dir) && mods.includes(imp.spec.replace(/^node:/, '')));
      if (banned) add({ kind: 'import', file: rel, line: imp.line, key: `${rel} -> ${imp.spec}`, message: `imports ${imp.spec}: ${banned[0]} does no I/O` });
      const target = imp.target && relOf(imp.target);
      if (!target || !target.startsWith('src/')) continue;
      const to = placeOf(target.slice('src/'.length));
      if (!to || to.index > from.index || (to.index === from.index && to.group === from.group)) continue;
      const why = to.index < from.index ? `an outer layer (${to.layer})` : `${to.group}, beside ${from.group} in the same layer`;
      add({ kind: 'import', file: rel, line: imp.line, key: `${rel} -> ${target}`, message: `imports ${target}, in ${why}: arrows point inward only` });
    }
  }
  return [...findings.values()];
}

/** Every import cycle, one finding per strongly connected set of modules (type imports count). */
export function cycleFindings(sources, relOf) {
  const edges = new Map(sources.map(({ rel }) => [rel, new Map()]));
  for (const { rel, info } of sources) {
    for (const imp of info.imports) {
      const target = imp.target && relOf(imp.target);
      if (target && edges.has(target) && !edges.get(rel).has(target)) edges.get(rel).set(target, imp.line);
    }
  }
  return stronglyConnected(edges)
    .filter((set) => set.length > 1 || edges.get(set[0]).has(set[0]))
    .map((set) => {
      const modules = [...set].sort();
      const path = cycleThrough(modules[0], new Set(set), edges);
      return { kind: 'cycle', file: path[0], line: edges.get(path[0]).get(path[1]), key: modules.join(' '), modules, message: `import cycle: ${path.join(' -> ')}` };
    });
}

/** Tarjan's algorithm: the strongly connected sets of a graph (Map node -> Map next -> line). */
function stronglyConnected(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const sets = [];
  const visit = (node) => {
    index.set(node, index.size);
    low.set(node, index.get(node));
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node).keys()) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) !== index.get(node)) return;
    const set = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      set.push(member);
    } while (member !== node);
    sets.push(set);
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return sets;
}

/** A shortest path from `start` back to itself inside `set` (breadth first). */
function cycleThrough(start, set, edges) {
  const cameFrom = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of edges.get(node).keys()) {
      if (!set.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at = node; at !== start; at = cameFrom.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** Files over MAX_FILE_LINES, functions over MAX_FUNCTION_LINES. */
export function sizeFindings(sources) {
  const findings = [];
  for (const { rel, info } of sources) {
    if (info.lines > MAX_FILE_LINES) {
      findings.push({ kind: 'longFile', file: rel, line: 1, key: rel, size: info.lines, message: `has ${info.lines} lines (at most ${MAX_FILE_LINES})` });
    }
    for (const fn of info.functions) {
      if (fn.lines <= MAX_FUNCTION_LINES) continue;
      findings.push({ kind: 'longFunction', file: rel, line: fn.line, key: `${rel} ${fn.name}`, function: fn.name, size: fn.lines, message: `${fn.name.startsWith('(top-level') ? '' : 'function '}${fn.name} has ${fn.lines} lines (at most ${MAX_FUNCTION_LINES})` });
    }
  }
  return findings;
}

/** src/<path>.ts without test/<path>.test.ts (tests mirror src/). */
export function mirrorFindings(sources, exists) {
  return sources
    .map(({ rel }) => ({ rel, test: rel.replace(/^src\//, 'test/').replace(/\.(m|c)?ts$/, '.test.$1ts') }))
    .filter(({ test }) => !exists(test))
    .map(({ rel, test }) => ({ kind: 'untested', file: rel, line: 1, key: rel, message: `has no test at ${test}` }));
}
