/**
 * Resumable build runs (Merge2Compare, Teach2Compare). Every model call is cached under the curation
 * folder, every output record is appended as one whole fsynced line, and a rerun with the same settings
 * skips what is written and answers finished calls from the cache. When all groups are done the outputs
 * are rewritten in plan order (temp file + rename), as JSONL or as a JSON array per the file extension.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomicWrite';
import { EmbeddingCache, type EmbedProgress } from '../embeddings/embeddingCache';
import type { Embedder } from '../embeddings/embedder';
import type { ImagePreprocessing } from '../endpoint/profile';
import { loadDescriptions, loadImages, type BuildUnit } from './buildInput';
import { BuildCalls, type BuildEndpoint, type CallResult } from './buildCalls';
import { RecordWriter } from './recordWriter';
import { BatchDeferredError } from './chatBatch';
import type { WrittenBatch } from '../endpoint/batchFiles';
import { defaultCounts, matchGroups, type GroupCounts } from './matching';
import { comparisonQuestion, mergedRecord, mergePrompt, type LlavaRecord } from './merge';
import { maxPairwiseSimilarity, retentionTable, type RetentionRow } from './similarity';
import { mcqRecord, openQARecord, parseGeneratedQA, QA_GENERATION_PROMPT, teacherComparisonRecord } from './teach';

export type BuildPhase = 'matching' | 'embedding' | 'filtering' | 'merging' | 'teaching' | 'finishing';

export interface BuildProgress {
  phase: BuildPhase;
  done: number;
  total: number;
  /** Calls answered from the cache so far (merging / teaching). */
  cached?: number;
}

interface CommonOptions {
  input: string;
  out: string;
  counts?: Partial<GroupCounts>;
  seed?: string | number;
  /** Folder that holds caches (default: .curator beside the input). */
  curatorDir?: string;
  /** Where relative image paths of the input resolve (default: the input file's folder). */
  imageRoot?: string;
  concurrency?: number;
  /** Ignore what a previous run wrote (outputs are started over; cached calls are still used). */
  fresh?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: BuildProgress) => void;
}

export interface Merge2CompareOptions extends CommonOptions {
  /** Removed groups go here (default: OUT with ".removed" before the extension). */
  removedOut?: string;
  embedder: Embedder;
  threshold: number;
  /** The text-only LLM (one base URL or several replicas); required unless dryRun. */
  llm?: BuildEndpoint;
  dryRun?: boolean;
  /** Merge the removed groups too, so they can be spot-checked (default true). */
  mergeRemoved?: boolean;
}

export interface Teach2CompareOptions extends CommonOptions {
  /** The vision-language teacher (one base URL or several replicas). */
  teacher: BuildEndpoint;
  /** How images are sent (ARCHITECTURE.md, "Endpoint"): padded to a square and resized to 448 px (default), or the original bytes. */
  imagePreprocessing?: ImagePreprocessing;
  /** Ask for general comparisons (default true). */
  comparisons?: boolean;
  /** Ask for question-answer pairs, written as open QA and MCQ records (default true). */
  questions?: boolean;
}

export interface PlannedGroup {
  id: string;
  size: number;
  units: number[];
  descriptions: string[];
  maxSimilarity?: number;
  removed?: boolean;
}

export interface BuildFailure {
  id: string;
  error: string;
}

export interface BuildResult {
  units: number;
  skippedRecords: number;
  /** Images whose path in the output leads out of the output's folder ("../…"): validators refuse those. */
  imagesOutsideOutput: number;
  counts: GroupCounts;
  groups: number;
  retention?: RetentionRow[];
  threshold?: number;
  outputs: { file: string; records: number }[];
  calls: { made: number; cached: number };
  failures: BuildFailure[];
  /** True when the run stopped before every group was written (cancel or failures). */
  incomplete: boolean;
  /** True when the run gave up after MAX_CONSECUTIVE_FAILURES failed groups in a row. */
  stoppedAfterFailures?: boolean;
  dryRun: boolean;
  /** Batch files (--batch-out / --batch-in): calls written instead of sent, files, output lines that matched no call. */
  batch?: { deferred: number; written?: WrittenBatch; unknown: { customId: string; where: string }[] };
}

export function removedPathFor(out: string): string {
  const ext = /\.jsonl?$/i.exec(out)?.[0] ?? '';
  return `${out.slice(0, out.length - ext.length)}.removed${ext || '.jsonl'}`;
}

function outsideCount(units: BuildUnit[]): number {
  return units.filter((u) => u.image.startsWith('../') || u.image === '..').length;
}

function curatorFor(opts: CommonOptions): string {
  return path.resolve(opts.curatorDir ?? path.join(path.dirname(path.resolve(opts.input)), '.curator'));
}

function resolveCounts(n: number, counts?: Partial<GroupCounts>): GroupCounts {
  const d = defaultCounts(n);
  return { pairs: counts?.pairs ?? d.pairs, triples: counts?.triples ?? d.triples, quads: counts?.quads ?? d.quads };
}

/** Groups in plan order: pairs, then triples, then quads, each with a stable id. */
function planGroups(prefix: string, units: BuildUnit[], counts: GroupCounts, seed: string | number): PlannedGroup[] {
  const bySize = matchGroups(units.length, counts, seed);
  const uses = new Map<number, number>();
  const out: PlannedGroup[] = [];
  bySize.forEach((groups, s) => {
    const size = s + 2;
    groups.forEach((g, i) => {
      const descriptions = g.members.map((u) => {
        const list = units[u].descriptions;
        const k = uses.get(u) ?? 0;
        uses.set(u, k + 1);
        return list.length ? list[k % list.length] : '';
      });
      out.push({ id: `${prefix}-${size}-${String(i + 1).padStart(6, '0')}`, size, units: g.members, descriptions });
    });
  });
  return out;
}

/** Run settings: a rerun continues only when they are the same. */
function checkManifest(curator: string, out: string, settings: Record<string, unknown>, outputsExist: boolean, fresh: boolean): void {
  const dir = path.join(curator, 'build');
  fs.mkdirSync(dir, { recursive: true });
  const abs = path.resolve(out);
  const file = path.join(dir, `${path.basename(abs)}-${createHash('sha1').update(abs).digest('hex').slice(0, 8)}.run.json`);
  const text = JSON.stringify({ output: abs, settings }, null, 2) + '\n';
  if (outputsExist && !fresh && fs.existsSync(file)) {
    const prev = JSON.parse(fs.readFileSync(file, 'utf8')) as { settings: Record<string, unknown> };
    const changed = Object.keys({ ...prev.settings, ...settings }).filter((k) => JSON.stringify(prev.settings[k]) !== JSON.stringify(settings[k]));
    if (changed.length) {
      throw new Error(
        `${out} was started with different settings (${changed.join(', ')}); rerun with the same settings to continue, or pass --fresh to start over`,
      );
    }
  }
  fs.writeFileSync(file, text);
}

/** One output: a progress journal (JSONL) that is turned into the final file when every record is in. */
class Output {
  readonly journal: string;
  readonly writer: RecordWriter;
  constructor(
    readonly file: string,
    fresh: boolean,
  ) {
    const abs = path.resolve(file);
    this.journal = /\.json$/i.test(abs) ? `${abs}.partial.jsonl` : abs;
    // A finished .json output is turned back into a journal so a rerun can extend or check it.
    if (!fresh && this.journal !== abs && !fs.existsSync(this.journal) && fs.existsSync(abs)) {
      const arr = JSON.parse(fs.readFileSync(abs, 'utf8')) as unknown[];
      writeFileAtomic(this.journal, arr.map((r) => JSON.stringify(r) + '\n').join(''), { fsync: true });
    }
    if (fresh && this.journal !== abs && fs.existsSync(abs)) fs.rmSync(abs);
    this.writer = new RecordWriter(this.journal, { fresh });
  }

  /** Rewrites the records in the given id order; JSON outputs become an array and the journal goes. */
  finish(order: string[]): number {
    this.writer.close();
    const byId = new Map<string, string>();
    for (const line of fs.readFileSync(this.journal, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const id = (JSON.parse(line) as { id: string }).id;
      byId.set(id, line);
    }
    const lines = order.filter((id) => byId.has(id)).map((id) => byId.get(id)!);
    const abs = path.resolve(this.file);
    if (this.journal === abs) writeFileAtomic(abs, lines.map((l) => l + '\n').join(''), { fsync: true });
    else {
      writeFileAtomic(abs, lines.length ? `[\n${lines.join(',\n')}\n]\n` : '[]\n', { fsync: true });
      fs.rmSync(this.journal);
    }
    return lines.length;
  }
}

function outputsExist(files: string[]): boolean {
  return files.some((f) => fs.existsSync(f) || fs.existsSync(`${path.resolve(f)}.partial.jsonl`));
}

/** Consecutive failed groups after which a run stops (an unreachable or broken endpoint). */
export const MAX_CONSECUTIVE_FAILURES = 8;

/**
 * Runs tasks with bounded concurrency; stops taking new ones when the signal aborts or `stop()` says
 * so.
 */
async function runPool<T>(
  items: T[],
  concurrency: number,
  signal: AbortSignal | undefined,
  stop: () => boolean,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal?.aborted && !stop()) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

/** Counts consecutive failures; a success resets the count. */
class FailureStreak {
  private streak = 0;
  ok(): void {
    this.streak = 0;
  }
  failed(): void {
    this.streak++;
  }
  get tooMany(): boolean {
    return this.streak >= MAX_CONSECUTIVE_FAILURES;
  }
}

function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return Boolean(signal?.aborted) || (e as Error)?.name === 'AbortError' || /abort/i.test((e as Error)?.constructor?.name ?? '');
}

/** Closes the batch input files of a run and notes what went to them. */
function finishBatch(chat: BuildEndpoint | undefined, result: BuildResult): void {
  const b = chat?.batch;
  if (!b) return;
  result.batch = { deferred: b.deferred, written: b.close(), unknown: b.unknownResults().map((r) => ({ customId: r.customId, where: r.where })) };
}

/** Counts a call as made or answered from the cache; its text. */
function counted(result: BuildResult, r: CallResult): string {
  if (r.cached) result.calls.cached++;
  else result.calls.made++;
  return r.text;
}

interface GroupRun {
  phase: 'merging' | 'teaching';
  todo: PlannedGroup[];
  total: number;
  endpoint: BuildEndpoint;
  /** One group's calls and records; a BatchDeferredError means the group waits for a batch (no failure). */
  group: (g: PlannedGroup) => Promise<void>;
  /** Closes the outputs' writers, also when the run throws. */
  close: () => void;
}

/**
 * Runs the groups still to do with bounded concurrency: a failed group is recorded and the run goes
 * on, until MAX_CONSECUTIVE_FAILURES fail in a row; progress after each group; then the batch files
 * are closed and the result says whether the run is complete.
 */
async function runGroups(opts: CommonOptions, result: BuildResult, run: GroupRun): Promise<void> {
  const streak = new FailureStreak();
  let done = run.total - run.todo.length;
  const progress = () => opts.onProgress?.({ phase: run.phase, done, total: run.total, cached: result.calls.cached });
  progress();
  try {
    await runPool(
      run.todo,
      opts.concurrency ?? 4,
      opts.signal,
      () => streak.tooMany,
      async (g) => {
        try {
          await run.group(g);
          streak.ok();
        } catch (e) {
          if (isAbort(e, opts.signal)) return;
          if (!(e instanceof BatchDeferredError)) {
            result.failures.push({ id: g.id, error: (e as Error).message || String(e) });
            streak.failed();
          }
        }
        done++;
        progress();
      },
    );
  } finally {
    run.close();
    finishBatch(run.endpoint, result);
  }
  result.incomplete = Boolean(opts.signal?.aborted) || result.failures.length > 0 || Boolean(result.batch?.deferred);
  result.stoppedAfterFailures = streak.tooMany;
}

export async function runMerge2Compare(opts: Merge2CompareOptions): Promise<BuildResult> {
  const seed = opts.seed ?? 0;
  const curator = curatorFor(opts);
  const removedOut = opts.removedOut ?? removedPathFor(opts.out);
  const mergeRemoved = opts.mergeRemoved ?? true;
  opts.onProgress?.({ phase: 'matching', done: 0, total: 1 });
  const input = loadDescriptions(opts.input, opts.out, opts.imageRoot);
  const counts = resolveCounts(input.units.length, opts.counts);
  const groups = planGroups('m2c', input.units, counts, seed);
  opts.onProgress?.({ phase: 'matching', done: 1, total: 1 });

  // similarity filter
  const cache = new EmbeddingCache(path.join(curator, 'embeddings'), opts.embedder);
  const texts = [...new Set(groups.flatMap((g) => g.descriptions))];
  const vectors = await cache.embedAll(texts, {
    signal: opts.signal,
    onProgress: (p: EmbedProgress) => opts.onProgress?.({ phase: 'embedding', done: p.done, total: p.total, cached: p.cached }),
  });
  opts.onProgress?.({ phase: 'filtering', done: 0, total: groups.length });
  const vectorOf = new Map(texts.map((t, i) => [t, vectors[i]]));
  for (const g of groups) {
    g.maxSimilarity = maxPairwiseSimilarity(g.descriptions.map((d) => vectorOf.get(d)!));
    g.removed = g.maxSimilarity >= opts.threshold;
  }
  const retention = retentionTable(groups.map((g) => ({ size: g.size, removed: g.removed! })));
  opts.onProgress?.({ phase: 'filtering', done: groups.length, total: groups.length });
  const base: BuildResult = {
    units: input.units.length,
    skippedRecords: input.skipped,
    imagesOutsideOutput: outsideCount(input.units),
    counts,
    groups: groups.length,
    retention,
    threshold: opts.threshold,
    outputs: [],
    calls: { made: 0, cached: 0 },
    failures: [],
    incomplete: false,
    dryRun: Boolean(opts.dryRun),
  };
  if (opts.dryRun) return base;
  if (!opts.llm) throw new Error('merging needs an LLM endpoint (--llm URL --model M); use --dry-run to stop after filtering');
  const calls = new BuildCalls(opts.llm, curator);

  const settings = {
    kind: 'merge2compare',
    input: path.resolve(opts.input),
    counts,
    seed: String(seed),
    threshold: opts.threshold,
    embedder: opts.embedder.id,
    llm: calls.endpoint,
    model: opts.llm.model,
    temperature: opts.llm.temperature ?? null,
    mergeRemoved,
  };
  checkManifest(curator, opts.out, settings, outputsExist([opts.out, removedOut]), Boolean(opts.fresh));
  const kept = new Output(opts.out, Boolean(opts.fresh));
  const removed = mergeRemoved ? new Output(removedOut, Boolean(opts.fresh)) : undefined;
  const todo = groups.filter((g) => (g.removed ? removed && !removed.writer.doneIds.has(g.id) : !kept.writer.doneIds.has(g.id)));
  const total = groups.filter((g) => !g.removed || removed).length;
  const result = base;
  await runGroups(opts, result, {
    phase: 'merging',
    todo,
    total,
    endpoint: opts.llm,
    group: async (g) => {
      const text = counted(result, await calls.complete(calls.textCall(mergePrompt(g.descriptions)), opts.signal));
      const images = g.units.map((u) => input.units[u].image);
      const rec = mergedRecord(g.id, images, text, g.removed ? 'merge2compare-removed' : 'merge2compare', {
        source_descriptions: g.descriptions,
        merge_model: calls.profile.model,
        max_similarity: g.maxSimilarity!,
        similarity_threshold: opts.threshold,
        embedder: opts.embedder.id,
      });
      (g.removed ? removed! : kept).writer.write(rec);
    },
    close: () => {
      kept.writer.close();
      removed?.writer.close();
    },
  });
  opts.onProgress?.({ phase: 'finishing', done: 0, total: 1 });
  // The final, ordered file is written only when complete; a partial run leaves the journal.
  if (!result.incomplete) {
    result.outputs.push({ file: opts.out, records: kept.finish(groups.filter((g) => !g.removed).map((g) => g.id)) });
    if (removed) result.outputs.push({ file: removedOut, records: removed.finish(groups.filter((g) => g.removed).map((g) => g.id)) });
  } else {
    result.outputs.push({ file: kept.journal, records: kept.writer.doneIds.size });
    if (removed) result.outputs.push({ file: removed.journal, records: removed.writer.doneIds.size });
  }
  opts.onProgress?.({ phase: 'finishing', done: 1, total: 1 });
  return result;
}

export async function runTeach2Compare(opts: Teach2CompareOptions): Promise<BuildResult> {
  const seed = opts.seed ?? 0;
  const curator = curatorFor(opts);
  const comparisons = opts.comparisons ?? true;
  const questions = opts.questions ?? true;
  opts.onProgress?.({ phase: 'matching', done: 0, total: 1 });
  const input = loadImages(opts.input, opts.out, opts.imageRoot);
  const missing = input.units.find((u) => !u.file || !fs.existsSync(u.file));
  if (missing) throw new Error(`image ${missing.file ?? missing.image} cannot be read (Teach2Compare sends image files to the teacher)`);
  const counts = resolveCounts(input.units.length, opts.counts);
  const groups = planGroups('t2c', input.units, counts, seed);
  opts.onProgress?.({ phase: 'matching', done: 1, total: 1 });

  const preprocessing = opts.imagePreprocessing ?? 'square';
  const calls = new BuildCalls(opts.teacher, curator, preprocessing);
  const settings = {
    kind: 'teach2compare',
    input: path.resolve(opts.input),
    counts,
    seed: String(seed),
    llm: calls.endpoint,
    model: opts.teacher.model,
    temperature: opts.teacher.temperature ?? null,
    comparisons,
    questions,
    images: preprocessing,
  };
  checkManifest(curator, opts.out, settings, outputsExist([opts.out]), Boolean(opts.fresh));
  const output = new Output(opts.out, Boolean(opts.fresh));
  const idsOf = (g: PlannedGroup): string[] => [...(comparisons ? [`${g.id}-cmp`] : []), ...(questions ? [`${g.id}-qa`, `${g.id}-mcq`] : [])];
  const todo = groups.filter((g) => idsOf(g).some((id) => !output.writer.doneIds.has(id)));
  const total = groups.length;
  const result: BuildResult = {
    units: input.units.length,
    skippedRecords: input.skipped,
    imagesOutsideOutput: outsideCount(input.units),
    counts,
    groups: groups.length,
    outputs: [],
    calls: { made: 0, cached: 0 },
    failures: [],
    incomplete: false,
    dryRun: false,
  };
  const prov = { teacher_model: opts.teacher.model };
  await runGroups(opts, result, {
    phase: 'teaching',
    todo,
    total,
    endpoint: opts.teacher,
    group: async (g) => {
      const files = g.units.map((u) => input.units[u].file!);
      const images = g.units.map((u) => input.units[u].image);
      const ask = async (text: string, check?: (answer: string) => void): Promise<string> =>
        counted(result, await calls.complete(await calls.imagesCall(text, files), opts.signal, check));
      // Written to a batch file instead of sent: the group's other call is still written, then it waits.
      let deferred: BatchDeferredError | undefined;
      const unlessDeferred = async (step: () => Promise<void>): Promise<void> => {
        try {
          await step();
        } catch (e) {
          if (e instanceof BatchDeferredError) deferred = e;
          else throw e;
        }
      };
      if (comparisons && !output.writer.doneIds.has(`${g.id}-cmp`)) {
        await unlessDeferred(async () => output.writer.write(teacherComparisonRecord(`${g.id}-cmp`, images, await ask(comparisonQuestion(g.size)), prov)));
      }
      if (questions && (!output.writer.doneIds.has(`${g.id}-qa`) || !output.writer.doneIds.has(`${g.id}-mcq`))) {
        await unlessDeferred(async () => {
          // an answer that is not the asked-for JSON is not cached: a rerun asks again
          const qa = parseGeneratedQA(await ask(QA_GENERATION_PROMPT, (a) => void parseGeneratedQA(a)));
          if (!output.writer.doneIds.has(`${g.id}-qa`)) output.writer.write(openQARecord(`${g.id}-qa`, images, qa, prov));
          if (!output.writer.doneIds.has(`${g.id}-mcq`)) output.writer.write(mcqRecord(`${g.id}-mcq`, images, qa, prov, seed));
        });
      }
      if (deferred) throw deferred;
    },
    close: () => output.writer.close(),
  });
  if (!result.incomplete) result.outputs.push({ file: opts.out, records: output.finish(groups.flatMap(idsOf)) });
  else result.outputs.push({ file: output.journal, records: output.writer.doneIds.size });
  return result;
}

export type { LlavaRecord };
