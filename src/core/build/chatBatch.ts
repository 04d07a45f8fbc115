/**
 * Builds through batch files (ARCHITECTURE.md, "Running at scale"): the model calls of a build go to
 * batch input files instead of the endpoint (custom_id = the call's cache key), and a later run reads
 * the batch output back as if the endpoint had answered, so the build resumes from the results.
 */
import type { BatchFileWriter, BatchResult, WrittenBatch } from '../endpoint/batchFiles';

/** A call that was written to a batch file instead of being sent: its group is finished by a later run. */
export class BatchDeferredError extends Error {
  constructor(readonly customId: string) {
    super(`written to a batch file (${customId})`);
  }
}

export class ChatBatch {
  private readonly used = new Set<string>();
  deferred = 0;

  /**
   * `results`: batch output by custom_id (--batch-in); `writer`: where calls without a result go
   * (--batch-out). With results and no writer, a call without a result fails; nothing is ever sent live.
   */
  constructor(
    readonly results: Map<string, BatchResult> = new Map(),
    readonly writer?: BatchFileWriter,
  ) {}

  /**
   * The answer for a call from the batch output, or undefined. For an error line: undefined when
   * batch files are being written (the call goes into the next batch), else the batch's error.
   */
  answer(key: string): { text: string; finishReason: string | null } | undefined {
    const r = this.results.get(key);
    if (!r) return undefined;
    this.used.add(key);
    if (r.ok) return r;
    if (this.writer) return undefined;
    throw new Error(`batch error (${r.where}): ${r.error}`);
  }

  /** Writes the call's request (once per key) and throws BatchDeferredError; without a writer, fails. */
  defer(key: string, body: unknown): never {
    if (!this.writer) throw new Error(`no batch result for call ${key} (export the remaining calls with --batch-out)`);
    if (!this.writer.has(key)) {
      this.writer.add(key, body);
      this.deferred++;
    }
    throw new BatchDeferredError(key);
  }

  /** Closes the input files written (if any). */
  close(): WrittenBatch | undefined {
    return this.writer?.close();
  }

  /** Output results whose custom_id matched no call of this run. */
  unknownResults(): BatchResult[] {
    return [...this.results.values()].filter((r) => !this.used.has(r.customId));
  }
}
