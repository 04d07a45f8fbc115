/**
 * The batch-file phases of ask and eval-mcq (ARCHITECTURE.md, "Running at scale"):
 * `--batch-out DIR` writes the requests instead of sending them; `--batch-in FILE...` answers from
 * batch output files instead of the endpoint. Problems with the output files are reported, never fatal.
 */
import * as path from 'node:path';
import { exportBatchRequests, BatchResultsAsker, type ExportEntry } from '../core/endpoint/batchAsk';
import { BatchFileWriter, readBatchOutput, type BatchOutput } from '../core/endpoint/batchFiles';
import type { Asker } from '../core/endpoint/asker';
import { guardOutput } from '../core/outputGuard';
import { UsageError, type ParsedArgs } from './args';
import type { CommandIO } from './command';

export const BATCH_VALUE_FLAGS = ['batch-out'];
export const BATCH_REPEATABLE_FLAGS = ['batch-in'];

export const BATCH_USAGE = [
  '  --batch-out DIR    write OpenAI Batch input files (DIR/<command>-<profile>-001.jsonl, ≤ 50,000 requests and 200 MB each)',
  '                     with the exact requests instead of sending them; items already answered are left out',
  '  --batch-in FILE... read Batch output (and error) files instead of asking the endpoint; use the same',
  '                     --endpoint/--model/--images as for --batch-out (they key the answers cache)',
].join('\n');

export type BatchMode = { kind: 'live' } | { kind: 'out'; dir: string } | { kind: 'in'; files: string[] };

/**
 * Which phase the flags ask for. `extra` are positionals after the target: with --batch-in they are
 * more output files (a shell glob such as `--batch-in out/*.jsonl` expands to several words).
 */
export function batchMode(args: ParsedArgs, extra: string[] = []): BatchMode {
  const out = args.str('batch-out');
  const ins = args.list('batch-in');
  if (out !== undefined && ins.length) throw new UsageError('--batch-out and --batch-in are two separate phases: give one of them');
  if (out !== undefined) {
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}" with --batch-out`);
    return { kind: 'out', dir: guardOutput(out, { folder: true, flag: '--batch-out' }) };
  }
  if (ins.length) return { kind: 'in', files: [...ins, ...extra].map((f) => path.resolve(f)) };
  return { kind: 'live' };
}

/** Writes the batch input files for `entries`; prints where they went. Exit code 1 when an item failed. */
export async function writeBatchRequests(
  entries: ExportEntry[],
  asker: Asker,
  dir: string,
  prefix: string,
  args: ParsedArgs,
  io: CommandIO,
  signal?: AbortSignal,
): Promise<number> {
  const writer = new BatchFileWriter(dir, prefix);
  const res = await exportBatchRequests(entries, asker, writer, {
    concurrency: args.num('concurrency') ?? asker.profile.concurrency,
    signal,
    onProgress: (done, total) => {
      if (!args.bool('json')) io.err(`\r${done}/${total} prepared`);
    },
  });
  if (!args.bool('json')) io.err('\n');
  if (args.bool('json')) {
    io.out(JSON.stringify({ files: res.written.files, requests: res.written.requests, cached: res.cached, failures: res.failures }, null, 2) + '\n');
  } else {
    const lines = [
      `${res.written.requests} request(s) in ${res.written.files.length} batch file(s)${res.cached ? `; ${res.cached} item(s) already answered in the cache` : ''}`,
    ];
    for (const f of res.written.files) lines.push(`  ${f.file}  (${f.requests} requests, ${(f.bytes / 1e6).toFixed(1)} MB)`);
    for (const f of res.failures.slice(0, 10)) lines.push(`  not written ${f.key}: ${f.error}`);
    if (res.failures.length > 10) lines.push(`  … and ${res.failures.length - 10} more`);
    if (res.written.requests)
      lines.push('', 'Run them (OpenAI Batch API, or vllm run-batch -i FILE -o OUT --model M), then import the output with --batch-in OUT.jsonl.');
    io.out(lines.join('\n') + '\n');
  }
  if (signal?.aborted) return 2;
  return res.failures.length ? 1 : 0;
}

/** An asker answering from the batch output files. */
export function batchAsker(asker: Asker, files: string[]): { asker: BatchResultsAsker; output: BatchOutput } {
  const output = readBatchOutput(files);
  return { asker: new BatchResultsAsker(asker.profile, asker.client, asker.cache, asker.imageRoot, output.results), output };
}

/** Reports unreadable lines and results that matched no item (stderr); returns how many. */
export function reportBatchImport(command: string, output: BatchOutput, asker: BatchResultsAsker, io: CommandIO): number {
  const unknown = asker.unknownResults();
  const errors = [...output.results.values()].filter((r) => !r.ok).length;
  io.err(
    `cocurate ${command}: ${output.lines} batch output line(s): ${output.results.size - errors} answer(s), ${errors} error line(s)${unknown.length ? `, ${unknown.length} for no item here` : ''}${output.problems.length ? `, ${output.problems.length} unreadable` : ''}\n`,
  );
  for (const p of output.problems.slice(0, 20)) io.err(`  ${p.where}: ${p.message}\n`);
  for (const u of unknown.slice(0, 20))
    io.err(
      `  ${u.where}: custom_id "${u.customId}" matches no item of this ${command === 'ask' ? 'spot check' : 'dataset'} for profile "${asker.profile.slug}"\n`,
    );
  return output.problems.length + unknown.length;
}
