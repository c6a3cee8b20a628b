/**
 * The namespace lab of the netns tests is the benchmark's (bench/lib/lab.mjs): one module for
 * both. It is plain JavaScript outside the compiled tree, so it is loaded from the repo at run
 * time, with its types from bench/lib/lab.d.mts.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as LabModule from '../../bench/lib/lab.mjs';

// build/test/netns/lab.js → the repo root.
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const lab = (await import(pathToFileURL(join(repo, 'bench', 'lib', 'lab.mjs')).href)) as typeof LabModule;

export const { Lab, labUnavailable } = lab;
export type Lab = LabModule.Lab;
export type LabHost = LabModule.LabHost;
