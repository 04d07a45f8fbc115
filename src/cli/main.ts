/** cocurate: the headless command line of Co-Instruct Curator. */
import * as fs from 'node:fs';
import { isUsageError, parseArgs } from './args';
import { envSecrets, redactSecrets } from '../core/endpoint/redact';
import type { CommandIO } from './command';
import { COMMANDS } from './commands';

// Everything the CLI prints passes the redaction helper: the keys in the environment never reach a
// terminal or a redirected log; messages (stderr) also lose any Bearer credential or key-like URL
// parameter. Record text on stdout is left as it is apart from the keys.
const secrets = envSecrets();
const outText = (t: string): string => (secrets.length ? redactSecrets(t, secrets, { patterns: false }) : t);
const io: CommandIO = {
  out: (t) => process.stdout.write(outText(t)),
  err: (t) => process.stderr.write(redactSecrets(t, secrets)),
  outNow: (t) => writeNow(outText(t)),
};

/**
 * Writes to stdout synchronously, even to a pipe (which Node makes non-blocking: a full pipe would
 * queue the rest until the event loop runs). Waits 1 ms while the pipe is full. Falls back to the
 * stream when it already holds queued output, so that the order is kept.
 */
function writeNow(text: string): void {
  if (process.stdout.writableLength > 0) {
    process.stdout.write(text);
    return;
  }
  let buf = Buffer.from(text, 'utf8');
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (buf.length > 0) {
    try {
      buf = buf.subarray(fs.writeSync(1, buf));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(nap, 0, 0, 1);
    }
  }
}

function help(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'cocurate — curate visual quality-comparison instruction data',
    '',
    'Usage: cocurate <command> [options]   (cocurate <command> --help for details)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Exit codes: 0 fine, 1 findings (e.g. validation errors), 2 usage or I/O error.',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.out(`${process.env.COCURATE_VERSION ?? '0.1.0'}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.err(`cocurate: unknown command "${name}" (try: ${COMMANDS.map((c) => c.name).join(', ')})\n`);
    return 2;
  }
  let usage = '';
  try {
    // Only this command's module is loaded (commands/index.ts).
    const cmd = await entry.load();
    usage = cmd.usage;
    const args = parseArgs(rest, cmd.flags);
    if (args.bool('help')) {
      io.out(`${entry.summary}\n\n${cmd.usage}\n`);
      return 0;
    }
    return await cmd.run(args, io);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (isUsageError(e)) io.err(`cocurate ${name}: ${err.message}\n${usage}\n`);
    else if (err.code === 'ENOENT' && err.path) io.err(`cocurate ${name}: ${err.path}: no such file or folder\n`);
    else io.err(`cocurate ${name}: ${err.message}\n`);
    if (process.env.COCURATE_DEBUG) io.err(`${err.stack}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(redactSecrets(`cocurate: ${(e as Error).message}\n`, envSecrets()));
      process.exitCode = 2;
    },
  );
}
