/**
 * The shape of a cocurate command: one file per command in ./commands, listed (with its one-line
 * summary) in ./commands/index.ts, which loads a command's module only when it runs.
 */
import type { ParsedArgs, FlagSpec } from './args';

export interface CommandIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /**
   * Writes to stdout at once, waiting while a slow reader's pipe is full: for output made while a
   * synchronous scan holds the event loop (`out` would queue what the pipe cannot take until then).
   */
  outNow?: (text: string) => void;
}

export interface Command {
  name: string;
  /** Usage lines shown by --help. */
  usage: string;
  flags: FlagSpec;
  /** Returns the exit code: 0 fine, 1 findings (validation errors, failed checks), 2 usage or I/O error. */
  run(args: ParsedArgs, io: CommandIO): Promise<number> | number;
}

/** Writes JSON or text depending on --json. */
export function emit(args: ParsedArgs, io: CommandIO, json: unknown, text: () => string): void {
  io.out(args.bool('json') ? JSON.stringify(json, null, 2) + '\n' : text());
}
