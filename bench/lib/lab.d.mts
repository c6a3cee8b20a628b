// Types of lab.mjs, for the TypeScript tests that use it (test/netns/lab.ts).
import type { ChildProcess, SpawnOptions } from 'node:child_process';

export interface LabHost {
  readonly ns: string;
  readonly address: string;
}

/** Why the lab cannot be built here, or undefined if it can. */
export function labUnavailable(): string | undefined;

export class Lab {
  /** The hub (the bridge's namespace), itself a host at <subnet>.1. */
  readonly client: LabHost;
  /** Hosts 1..n at <subnet>.11, .12, … */
  readonly servers: LabHost[];
  constructor(options?: { tag?: string; subnet?: string });
  up(rates: string[]): void;
  setRate(host: LabHost, rate: string): void;
  rate(host: LabHost): string | undefined;
  link(host: LabHost, state: 'up' | 'down'): void;
  counters(host: LabHost): { txBytes: number; rxBytes: number };
  spawn(host: LabHost, command: string, args: string[], options?: SpawnOptions): ChildProcess;
  down(): void;
  static removeStale(tag: string): void;
}
