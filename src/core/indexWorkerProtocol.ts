/**
 * Messages between the index worker thread (indexWorker.ts) and the thread that started it
 * (indexWorkerClient.ts). Types only: both sides import them. What grows with the dataset travels
 * as typed arrays, transferred (indexTransfer.ts): a message's structured-clone cost on the
 * receiving thread stays small whatever the record count.
 */
import type { MessagePort } from 'node:worker_threads';
import type { BrowseFilterSpec } from './browseFilter';
import type { HuntOptions } from './claims/huntPlan';
import type { CueRunStats } from './cues/imageCues';
import type { CacheOptions } from './indexCache';
import type { IdColumns, IndexedColumns } from './indexTransfer';
import type { FieldMapping, FormatId } from './item';
import type { Plan } from './plan';
import type { Container } from './recordIndex';
import type { SampleOptions } from './sampling';
import type { VerdictValue } from './verdicts';

export type { IdColumns, IndexedColumns } from './indexTransfer';

/** How the worker opens the dataset. */
export interface IndexWorkerData {
  file: string;
  container?: Container;
  mapping?: FieldMapping;
  format?: FormatId;
  cache?: false | CacheOptions;
}

/** What the worker is started with (workerData). */
export interface IndexWorkerStart extends IndexWorkerData {
  /**
   * Every ToHost message goes through this port, and a bare wake-up (the number 0) through the
   * worker's parentPort after it: the host takes the message off this port with
   * receiveMessageOnPort inside its timed handler, so its deserialization is counted
   * (IndexWorker.hostMs).
   */
  port: MessagePort;
}

/** A request's answer (`reply`), by kind. */
export type Reply =
  | { kind: 'filter'; matches: Int32Array | null }
  | { kind: 'sample'; plan: Plan }
  /** Every record of a parquet row group as JSON text, one after the other, and where each ends. */
  | { kind: 'rowGroup'; text: Uint8Array; ends: Uint32Array }
  /** A row's embedded images: the bytes of each image column in turn (none: length -1). */
  | { kind: 'rowImages'; columns: string[]; bytes: Uint8Array; lengths: Int32Array }
  | { kind: 'hunt'; plan: Plan; cancelled: boolean; stats: CueRunStats; warnings: string[] }
  | {
      kind: 'suspicion';
      /** Per record index; NaN where the record could not be read. */
      scores: Float64Array;
      fromCache: boolean;
      file: string;
      stats: CueRunStats;
      /** The first records that could not be read (at most 100). */
      warnings: string[];
    };

export type ToHost =
  /** The file's first bytes, holding at least one whole record, with their index (built in the worker); none when they cannot be read as records. */
  | { type: 'head'; head?: { bytes: Uint8Array; index: IndexedColumns; format: FormatId }; size: number }
  | { type: 'progress'; records: number; bytes: number; size: number }
  | {
      type: 'done';
      index: IndexedColumns;
      ids: IdColumns;
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
  | { type: 'requestProgress'; id: number; done: number; total: number }
  | { type: 'reply'; id: number; reply: Reply }
  | { type: 'requestFailed'; id: number; cancelled: boolean; message: string };

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
  /** Decode one row group of a parquet dataset (ParquetSource.groupRowBytes), so the host never does. */
  | { type: 'rowGroup'; id: number; group: number }
  /** Read one row's embedded image bytes of a parquet dataset (ParquetSource.imageBytes). */
  | { type: 'rowImages'; id: number; row: number }
  /** A hunt (core auditDataset + buildHuntPlan on the worker's dataset): every record and image read. */
  | { type: 'hunt'; id: number; audit: HuntAudit; plan: HuntOptions; cancel: SharedArrayBuffer }
  /** Every record's suspicion (core datasetSuspicion: the cached scores, else the label audit). */
  | { type: 'suspicion'; id: number; audit: HuntAudit; cancel: SharedArrayBuffer };

/** Where a label audit (hunt, suspicion) finds images and its cue cache. */
export interface HuntAudit {
  imageRoot?: string;
  curationFolder?: string;
  workers?: number;
}
