/**
 * Asking in two phases through batch files (ARCHITECTURE.md, "Running at scale"):
 * export writes the request the live client would send for each unanswered item (Asker.prepare, the
 * same prompt and images); import answers the same asking flow (spot check, MCQ evaluation) from
 * batch output instead of the endpoint, so answers land in the same cache and agreement files.
 */
import type { Item } from '../item';
import { Asker, type PreparedQuestion, type QuestionInput, type Answer } from './asker';
import type { AnswerCache } from './answerCache';
import { BatchFileWriter, customIdFor, type BatchResult, type WrittenBatch } from './batchFiles';
import { chatRequestBody, type AskOptions, type AskResult, type EndpointClient } from './client';
import type { ResolvedProfile } from './profile';

/** One item to export: its key, and how to read it (reading may fail: a vanished or broken record). */
export interface ExportEntry {
  key: string;
  item: () => Item;
}

export interface BatchExport {
  written: WrittenBatch;
  /** Items already answered in the cache (no request written). */
  cached: number;
  failures: { key: string; error: string }[];
}

export interface ExportOptions {
  /** Items prepared at once (image encoding); default the profile's concurrency. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Writes one batch request per unanswered item into `writer` (custom_id = profile slug + ":" + item
 * key), in item order. Items that cannot be asked are listed as failures; nothing here is fatal.
 */
export async function exportBatchRequests(entries: ExportEntry[], asker: Asker, writer: BatchFileWriter, opts: ExportOptions = {}): Promise<BatchExport> {
  const failures: BatchExport['failures'] = [];
  let cached = 0;
  const window = Math.max(1, opts.concurrency ?? asker.profile.concurrency);
  for (let start = 0; start < entries.length; start += window) {
    if (opts.signal?.aborted) break;
    const slice = entries.slice(start, start + window);
    const prepared = await Promise.all(
      slice.map(async (e): Promise<PreparedQuestion | Error> => {
        try {
          return await asker.prepare(Asker.questionInput(e.item()));
        } catch (err) {
          return err instanceof Error ? err : new Error(String(err));
        }
      }),
    );
    prepared.forEach((p, i) => {
      const key = slice[i].key;
      if (p instanceof Error) {
        failures.push({ key, error: p.message });
        return;
      }
      if (p.hit) {
        cached++;
        return;
      }
      try {
        writer.add(customIdFor(asker.profile.slug, key), chatRequestBody(asker.profile, p.content));
      } catch (err) {
        failures.push({ key, error: (err as Error).message });
      }
    });
    opts.onProgress?.(Math.min(entries.length, start + window), entries.length);
  }
  return { written: writer.close(), cached, failures };
}

/**
 * An Asker whose answers come from batch output, keyed by custom_id; it never calls the endpoint.
 * A question without a result, or whose result is an error line, fails with that reason.
 */
export class BatchResultsAsker extends Asker {
  private readonly asked = new Set<string>();

  constructor(
    profile: ResolvedProfile,
    client: EndpointClient,
    cache: AnswerCache,
    imageRoot: string,
    readonly results: Map<string, BatchResult>,
  ) {
    super(profile, client, cache, imageRoot);
  }

  private idOf(q: QuestionInput): string | undefined {
    return q.item ? customIdFor(this.profile.slug, q.item.key) : undefined;
  }

  override ask(q: QuestionInput, opts: AskOptions = {}): Promise<Answer> {
    const id = this.idOf(q);
    if (id) this.asked.add(id);
    return super.ask(q, opts);
  }

  protected override async send(p: PreparedQuestion): Promise<AskResult> {
    const id = this.idOf(p.q);
    const r = id === undefined ? undefined : this.results.get(id);
    if (!r) throw new Error(`no batch result for "${id ?? p.q.question.slice(0, 40)}" (export the remaining requests with --batch-out)`);
    if (!r.ok) throw new Error(`batch error (${r.where}): ${r.error}`);
    return { text: r.text, finishReason: r.finishReason, attempts: 1, ms: 0, baseURL: 'batch' };
  }

  /** Results whose custom_id named no question that was asked (another profile, another plan, a typo). */
  unknownResults(): BatchResult[] {
    return [...this.results.values()].filter((r) => !this.asked.has(r.customId));
  }
}
