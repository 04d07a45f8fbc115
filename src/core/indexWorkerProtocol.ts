/**
 * Messages between the index worker thread (indexWorker.ts) and the thread that started it
 * (indexWorkerClient.ts). Types only: both sides import them.
 */
import type { BrowseFilterSpec } from './browseFilter';
import type { HuntOptions } from './claims/huntPlan';
import type { CueRunStats } from './cues/imageCues';
import type { CacheOptions } from './indexCache';
import type { FieldMapping, FormatId } from './item';
import type { Plan } from './plan';
import type { Container, IndexError } from './recordIndex';
import type { SampleOptions } from './sampling';
import type { VerdictValue } from './verdicts';

/** What the worker is started with (workerData). */
export interface IndexWorkerData {
  file: string;
  container?: Container;
  mapping?: FieldMapping;
  format?: FormatId;
  cache?: false | CacheOptions;
}

/** A record index as columns (moved, not copied, between threads). */
export interface IndexedColumns {
  container: Container;
  bytes: number;
  starts: Float64Array;
  ends: Float64Array;
  lines: Float64Array;
  idHashes: Float64Array;
  groupIds?: Float64Array;
  groupNames: string[];
  errors: IndexError[];
  errorsOmitted: number;
}

export type ToHost =
  /** The file's first bytes, holding at least one whole record (unless the file has none). */
  | { type: 'head'; bytes: Uint8Array; size: number }
  | { type: 'progress'; records: number; bytes: number; size: number }
  | {
      type: 'done';
      index: IndexedColumns;
      ids: { hashes: Float64Array; duplicates: Set<number>; duplicateIds: Map<string, number[]> };
      format: FormatId;
      mtimeMs: number;
      /** Subset names among the first records (browse filter menu). */
      subsets: string[];
      cache: { file?: string; hit: boolean };
      ms: { head: number; index: number; total: number };
    }
  /** Group size of every record (after `done`; from the persistent index when it holds them). */
  | { type: 'columns'; groupSizes: Int32Array }
  | { type: 'failed'; message: string }
  | { type: 'filterProgress'; id: number; done: number; total: number }
  | { type: 'filterDone'; id: number; matches: Int32Array | null }
  | { type: 'filterFailed'; id: number; cancelled: boolean; message: string }
  | { type: 'sampleDone'; id: number; plan: Plan }
  | { type: 'sampleFailed'; id: number; message: string }
  | { type: 'huntProgress'; id: number; done: number; total: number }
  | { type: 'huntDone'; id: number; plan: Plan; cancelled: boolean; stats: CueRunStats; warnings: string[] }
  | { type: 'huntFailed'; id: number; message: string };

export type ToWorker =
  | {
      type: 'filter';
      id: number;
      filter: BrowseFilterSpec;
      /** This reviewer's verdicts by key (only for a verdict filter). */
      verdicts: [string, VerdictValue][];
      /** A SharedArrayBuffer holding one Int32: set to 1 to cancel. */
      cancel: SharedArrayBuffer;
    }
  /** Draw a spot-check sample (core drawSample) from the worker's dataset: strata may read every record. */
  | { type: 'sample'; id: number; opts: SampleOptions }
  /** A hunt (core auditDataset + buildHuntPlan on the worker's dataset): every record and image read. */
  | { type: 'hunt'; id: number; audit: HuntAudit; plan: HuntOptions; cancel: SharedArrayBuffer };

/** Where a hunt's label audit finds images and its cue cache. */
export interface HuntAudit {
  imageRoot?: string;
  curationFolder?: string;
  workers?: number;
}
