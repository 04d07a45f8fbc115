/**
 * cocurate build merge2compare|teach2compare: build comparison data the paper's way (group matching,
 * top-similarity removal, LLM merging; or a VLM teacher), resumable.
 */
import * as path from 'node:path';
import { guardOutput } from '../../core/outputGuard';
import { UsageError, type ParsedArgs } from '../args';
import type { Command, CommandIO } from '../command';
import { embedderFromSpec } from '../../core/embeddings/embedderSpec';
import { ChatBatch } from '../../core/build/chatBatch';
import type { BuildEndpoint } from '../../core/build/buildCalls';
import { BatchFileWriter, readBatchOutput } from '../../core/endpoint/batchFiles';
import { DEFAULT_API_KEY_ENV, envApiKey, slugify } from '../../core/endpoint/profile';
import { MatchingError } from '../../core/build/matching';
import { MAX_CONSECUTIVE_FAILURES, removedPathFor, runMerge2Compare, runTeach2Compare, type BuildProgress, type BuildResult } from '../../core/build/pipeline';
import { formatRetention } from '../../core/build/similarity';

export const DEFAULT_THRESHOLD = 0.9;

const USAGE = [
  'cocurate build merge2compare IN --out OUT [--pairs N --triples N --quads N] [--seed S]',
  '        [--embedder local:DIR|url:URL|hub:MODEL] [--embed-model M] [--embed-dtype fp32|q8] [--threshold T]',
  '        [--llm URL... --model M] [--removed-out FILE] [--no-merge-removed] [--dry-run]',
  'cocurate build teach2compare IN --out OUT --llm URL... --model M [--pairs N --triples N --quads N] [--seed S]',
  '        [--no-comparisons | --no-questions] [--images-as square|original]',
  'common: [--concurrency N] [--temperature X] [--max-tokens N] [--curator DIR] [--image-root DIR] [--fresh] [--quiet] [--json]',
  '',
  'IN: single-image descriptions {image, description} (JSON or JSONL); for teach2compare also a folder of images.',
  'OUT: .jsonl or .json (LLaVA / Co-Instruct records). Default group counts: pairs n·log10(n) (the paper: 19K images → 81K pairs),',
  `triples pairs/3, quads 2·pairs/9. Default threshold ${DEFAULT_THRESHOLD}; default embedder hub:Xenova/all-MiniLM-L6-v2 (downloaded once, needs network).`,
  '--llm: repeat or comma-separate for replicas of one model (calls are spread over them, as for ask --endpoint).',
  `The API key is read from $${DEFAULT_API_KEY_ENV}, as for ask. A rerun with the same settings continues; finished calls come from the cache.`,
  "Batch files: --batch-out DIR writes the calls not yet answered as OpenAI Batch input (custom_id = the call's cache key) instead of",
  'sending them; --batch-in FILE... answers calls from Batch output (nothing is sent live). Both together: import, then write the rest.',
  'Keep --llm, --model and the other settings the same across the phases.',
].join('\n');

function count(args: ParsedArgs, name: string): number | undefined {
  const v = args.num(name);
  if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new UsageError(`--${name} must be a whole number ≥ 0`);
  return v;
}

/** --batch-out DIR / --batch-in FILE...: the run's model calls through batch files (both may be given). */
function chatBatch(
  args: ParsedArgs,
  kind: string,
  model: string | undefined,
  extra: string[],
): { batch?: ChatBatch; problems: { where: string; message: string }[] } {
  const out = args.str('batch-out');
  const ins = [...args.list('batch-in'), ...extra];
  if (out === undefined && ins.length === 0) return { problems: [] };
  const results = ins.length ? readBatchOutput(ins.map((f) => path.resolve(f))) : undefined;
  const writer = out !== undefined ? new BatchFileWriter(path.resolve(out), `build-${kind}-${slugify(model ?? 'model')}`) : undefined;
  return { batch: new ChatBatch(results?.results, writer), problems: results?.problems ?? [] };
}

/** The endpoint of the model calls; its key comes from the environment in core, as for ask (endpointArgs.ts). */
function chatOptions(args: ParsedArgs, required: boolean): BuildEndpoint | undefined {
  const urls = args.list('llm').flatMap((u) => u.split(','));
  const model = args.str('model');
  if (!urls.length && !model && !required) return undefined;
  if (!urls.length) throw new UsageError('--llm URL is needed (an OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1)');
  if (!model) throw new UsageError('--model M is needed with --llm');
  return { baseURL: urls, model, temperature: args.num('temperature'), maxTokens: count(args, 'max-tokens') };
}

function progressPrinter(io: CommandIO, quiet: boolean): (p: BuildProgress) => void {
  let last = 0;
  let lastPhase = '';
  return (p) => {
    if (quiet) return;
    const now = Date.now();
    const final = p.done >= p.total;
    if (p.phase === lastPhase && !final && now - last < 1000) return;
    if (p.phase === lastPhase && final && p.total === 0) return;
    last = now;
    lastPhase = p.phase;
    const cached = p.cached ? ` (${p.cached} from cache)` : '';
    io.err(`${p.phase} ${p.done}/${p.total}${cached}\n`);
  };
}

function summary(r: BuildResult): string {
  const lines: string[] = [];
  if (r.batch) {
    const w = r.batch.written;
    if (w) {
      lines.push(`${w.requests} call(s) written to ${w.files.length} batch file(s):`);
      for (const f of w.files) lines.push(`  ${f.file}  (${f.requests} requests, ${(f.bytes / 1e6).toFixed(1)} MB)`);
      if (w.requests) lines.push('Run them (OpenAI Batch API, or vllm run-batch), then rerun this command with --batch-in OUTPUT.jsonl to continue.');
    }
    for (const u of r.batch.unknown.slice(0, 10)) lines.push(`${u.where}: custom_id "${u.customId}" matches no call of this build`);
  }
  lines.push(
    `${r.units} images, ${r.groups} groups (${r.counts.pairs} pairs, ${r.counts.triples} triples, ${r.counts.quads} quads)` +
      (r.skippedRecords ? `; ${r.skippedRecords} input records without image or description skipped` : ''),
  );
  if (r.imagesOutsideOutput)
    lines.push(
      `note: ${r.imagesOutsideOutput} image path(s) lead out of the output's folder ("../…"); write OUT into a folder that contains the images so validate and the review editor can show them`,
    );
  if (r.retention && r.threshold !== undefined) lines.push(formatRetention(r.retention, r.threshold).trimEnd());
  if (!r.dryRun) {
    lines.push(`calls: ${r.calls.made} made, ${r.calls.cached} from cache`);
    for (const o of r.outputs) lines.push(`wrote ${o.records} records to ${o.file}`);
    if (r.failures.length) {
      lines.push(`${r.failures.length} group(s) failed (rerun to retry them):`);
      for (const f of r.failures.slice(0, 10)) lines.push(`  ${f.id}: ${f.error}`);
      if (r.failures.length > 10) lines.push(`  … and ${r.failures.length - 10} more`);
    }
    if (r.stoppedAfterFailures) lines.push(`stopped after ${MAX_CONSECUTIVE_FAILURES} failed groups in a row: is the endpoint up?`);
    if (r.incomplete) lines.push('incomplete: the journal above holds whole records only; rerun the same command to continue');
  }
  return lines.join('\n') + '\n';
}

export const build: Command = {
  name: 'build',
  usage: USAGE,
  flags: {
    values: [
      'out',
      'pairs',
      'triples',
      'quads',
      'seed',
      'embedder',
      'embed-model',
      'embed-dtype',
      'threshold',
      'model',
      'temperature',
      'max-tokens',
      'concurrency',
      'curator',
      'image-root',
      'removed-out',
      'images-as',
      'batch-out',
    ],
    repeatable: ['batch-in', 'llm'],
    booleans: ['dry-run', 'fresh', 'quiet', 'no-merge-removed', 'no-comparisons', 'no-questions'],
  },
  async run(args, io) {
    const [kind, input] = args.positionals;
    if (kind !== 'merge2compare' && kind !== 'teach2compare')
      throw new UsageError(`the first argument must be merge2compare or teach2compare${kind ? `, not "${kind}"` : ''}`);
    if (!input) throw new UsageError('missing IN (descriptions file or image folder)');
    // with --batch-in, further words are more output files (a shell glob)
    const extraIn = args.list('batch-in').length ? args.positionals.slice(2) : [];
    if (args.positionals.length > 2 && !extraIn.length) throw new UsageError(`unexpected argument "${args.positionals[2]}"`);
    const dryRun = args.bool('dry-run');
    const out = args.str('out');
    if (!out && !dryRun) throw new UsageError('--out OUT is needed');
    // Outputs never replace the input, a plan or a journal; build continues its own output, so an
    // existing dataset there is fine.
    const removedGiven = args.str('removed-out');
    if (out) guardOutput(out, { inputs: [input], mayBeDataset: true });
    if (kind === 'merge2compare' && (out || removedGiven)) {
      const removedOut = removedGiven ?? removedPathFor(out!);
      guardOutput(removedOut, { inputs: [input], otherOutputs: out ? [out] : [], mayBeDataset: true, flag: '--removed-out' });
    }
    const counts = { pairs: count(args, 'pairs'), triples: count(args, 'triples'), quads: count(args, 'quads') };
    const concurrency = count(args, 'concurrency');
    if (concurrency === 0) throw new UsageError('--concurrency must be at least 1');
    const controller = new AbortController();
    const onSigint = (): void => {
      io.err('stopping after the calls in flight…\n');
      controller.abort();
    };
    process.once('SIGINT', onSigint);
    const common = {
      input,
      out: out ?? path.join(path.dirname(path.resolve(input)), 'merge2compare.jsonl'),
      counts,
      seed: args.str('seed') ?? 0,
      curatorDir: args.str('curator'),
      imageRoot: args.str('image-root'),
      concurrency,
      fresh: args.bool('fresh'),
      signal: controller.signal,
      onProgress: progressPrinter(io, args.bool('quiet') || args.bool('json')),
    };
    try {
      let result: BuildResult;
      const { batch, problems } = chatBatch(args, kind, args.str('model'), extraIn);
      const withBatch = (o: BuildEndpoint | undefined): BuildEndpoint | undefined => (o && batch ? { ...o, batch } : o);
      for (const p of problems.slice(0, 20)) io.err(`${p.where}: ${p.message}\n`);
      if (kind === 'merge2compare') {
        const threshold = args.num('threshold', DEFAULT_THRESHOLD)!;
        if (!(threshold > -1 && threshold <= 1)) throw new UsageError('--threshold must be a cosine similarity in (-1, 1]');
        const curator = path.resolve(common.curatorDir ?? path.join(path.dirname(path.resolve(input)), '.curator'));
        const dtype = args.str('embed-dtype');
        if (dtype !== undefined && dtype !== 'fp32' && dtype !== 'q8') throw new UsageError('--embed-dtype must be fp32 or q8');
        const embedder = embedderFromSpec(args.str('embedder'), {
          model: args.str('embed-model'),
          apiKey: envApiKey(),
          cacheDir: path.join(curator, 'models'),
          dtype,
        });
        try {
          result = await runMerge2Compare({
            ...common,
            removedOut: args.str('removed-out') ?? (out ? removedPathFor(out) : undefined),
            embedder,
            threshold,
            llm: withBatch(chatOptions(args, !dryRun)),
            dryRun,
            mergeRemoved: !args.bool('no-merge-removed'),
          });
        } finally {
          await embedder.dispose?.();
        }
      } else {
        if (dryRun) throw new UsageError('--dry-run applies to merge2compare (teach2compare has no filtering step)');
        if (args.bool('no-comparisons') && args.bool('no-questions')) throw new UsageError('--no-comparisons and --no-questions together leave nothing to do');
        const imagesAs = args.str('images-as') ?? 'square';
        if (imagesAs !== 'square' && imagesAs !== 'original') throw new UsageError('--images-as must be square (padded, 448 px) or original');
        result = await runTeach2Compare({
          ...common,
          teacher: withBatch(chatOptions(args, true))!,
          comparisons: !args.bool('no-comparisons'),
          questions: !args.bool('no-questions'),
          imagePreprocessing: imagesAs,
        });
      }
      if (batch && result.batch?.deferred) {
        if (args.bool('json')) io.out(JSON.stringify(result, null, 2) + '\n');
        else io.out(summary(result));
        return 0;
      }
      if (args.bool('json')) io.out(JSON.stringify(result, null, 2) + '\n');
      else io.out(summary(result));
      if (controller.signal.aborted) return 2;
      return result.failures.length ? 1 : 0;
    } catch (e) {
      if (e instanceof MatchingError) throw new UsageError(e.message);
      throw e;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  },
};
