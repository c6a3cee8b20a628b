/**
 * Splits a console line into words. Double quotes group a name with spaces
 * (`#DOWNLOAD "my notes.txt" p2`); inside quotes, \" and \\ stand for " and \. Outside
 * quotes a backslash before a space, a quote or a backslash makes it part of the word, as in a
 * shell (`my\ notes.txt`, what Tab completion writes); other backslashes are kept.
 */
import { TxtmeshError } from '../errors.js';

export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
        word += line[++i];
      } else if (ch === '"') {
        quoted = false;
      } else {
        word += ch;
      }
    } else if (ch === '\\' && /[\s"\\]/.test(line[i + 1] ?? '')) {
      word += line[++i];
      inWord = true;
    } else if (ch === '"') {
      quoted = true;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quoted) throw new TxtmeshError('ERR_USAGE', 'unterminated double quote');
  if (inWord) words.push(word);
  return words;
}
