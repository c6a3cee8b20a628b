// What the layout check reads from one TypeScript file: its length, its imports of other files
// in the tree (with the line of each), its node: imports, and its functions with their lengths.
// Syntax only (ts.createSourceFile, no type checking), so the check takes a second, not a build.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

/**
 * @typedef {{ spec: string, target: string | undefined, line: number }} Import
 *   target: the file in the tree it resolves to (undefined for packages and node: modules)
 * @typedef {{ name: string, line: number, lines: number }} FunctionSize
 * @typedef {{ path: string, lines: number, imports: Import[], functions: FunctionSize[] }} SourceInfo
 */

/** Reads and parses one file. @returns {SourceInfo} */
export function readSource(path) {
  const text = readFileSync(path, 'utf8');
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  return { path, lines: countLines(text), imports: importsOf(file), functions: functionsOf(file) };
}

/** Lines as an editor numbers them (a final newline does not start another line). */
function countLines(text) {
  if (text === '') return 0;
  const newlines = text.split('\n').length - 1;
  return text.endsWith('\n') ? newlines : newlines + 1;
}

const lineOf = (file, pos) => file.getLineAndCharacterOfPosition(pos).line + 1;

/** Every module specifier: import/export ... from, import(), import('x').T, import x = require(). */
function importsOf(file) {
  const found = [];
  const add = (literal) => {
    if (literal && ts.isStringLiteralLike(literal)) {
      found.push({ spec: literal.text, target: resolveSpec(file.fileName, literal.text), line: lineOf(file, literal.getStart()) });
    }
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isExternalModuleReference(node)) add(node.expression);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const JS_TO_TS = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts', '.jsx': '.tsx' };

/** The file a relative specifier names, NodeNext style ('./x.js' is ./x.ts); undefined otherwise. */
function resolveSpec(from, spec) {
  if (!spec.startsWith('./') && !spec.startsWith('../')) return undefined;
  const base = resolve(dirname(from), spec);
  const ext = Object.keys(JS_TO_TS).find((e) => base.endsWith(e));
  const candidates = [ext ? base.slice(0, -ext.length) + JS_TO_TS[ext] : base, base, `${base}.ts`, `${base}/index.ts`];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/**
 * Every function with a body: declarations, methods, accessors, constructors, and function
 * expressions and arrows, named after where they stand (`Class.method`, `outer.inner`, a
 * variable or property name; an anonymous callback as `outer.(callback of on)`), and each
 * statement of a module's top-level code (`(top-level try)`: it runs like a function body).
 * @returns {FunctionSize[]}
 */
function functionsOf(file) {
  const found = [];
  const seen = new Map();
  const add = (node, fullName) => {
    const count = (seen.get(fullName) ?? 0) + 1;
    seen.set(fullName, count);
    const line = lineOf(file, node.getStart());
    found.push({ name: count === 1 ? fullName : `${fullName}#${count}`, line, lines: lineOf(file, node.getEnd()) - line + 1 });
  };
  const visit = (node, scope) => {
    let inner = scope;
    if (ts.isClassLike(node)) inner = qualify(scope, node.name?.text ?? '(class)');
    else if (ts.isFunctionLike(node) && 'body' in node && node.body) add(node, (inner = qualify(scope, nameOf(node))));
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  for (const statement of file.statements) {
    if (TOP_LEVEL_CODE[statement.kind]) add(statement, `(top-level ${TOP_LEVEL_CODE[statement.kind]})`);
  }
  visit(file, '');
  return found;
}

/** Top-level statements that are code rather than declarations or data (a table in a const is data). */
const TOP_LEVEL_CODE = {
  [ts.SyntaxKind.TryStatement]: 'try',
  [ts.SyntaxKind.IfStatement]: 'if',
  [ts.SyntaxKind.ForStatement]: 'for',
  [ts.SyntaxKind.ForOfStatement]: 'for',
  [ts.SyntaxKind.ForInStatement]: 'for',
  [ts.SyntaxKind.WhileStatement]: 'while',
  [ts.SyntaxKind.DoStatement]: 'do',
  [ts.SyntaxKind.SwitchStatement]: 'switch',
  [ts.SyntaxKind.Block]: 'block',
  [ts.SyntaxKind.ExpressionStatement]: 'statement',
};

const qualify = (scope, name) => (scope ? `${scope}.${name}` : name);

/** A function's own name, or the name it is given where it stands. */
function nameOf(node) {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) {
    return parent.name.getText();
  }
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return parent.left.getText();
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
    const callee = parent.expression;
    const short = ts.isPropertyAccessExpression(callee) ? callee.name.getText() : callee.getText();
    return `(callback of ${short})`;
  }
  return '(function)';
}
