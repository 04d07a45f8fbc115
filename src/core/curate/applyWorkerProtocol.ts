/**
 * Messages between the export worker thread (applyWorker.ts) and the thread that starts it
 * (applyWorkerClient.ts). Types only: both sides import them.
 */
import type { ApplyResult, ApplyStep } from './apply';

/** What the worker is started with (workerData): applyCuration's arguments, and a flag that cancels. */
export interface ApplyWorkerData {
  planDirs: string[];
  out: string;
  opts: { dropIncorrect?: boolean; corrections?: boolean; decisions?: boolean; now?: string };
  /** One Int32: set to 1 to stop before the output is in place. */
  cancel: SharedArrayBuffer;
}

export type ApplyToHost =
  | { type: 'progress'; step: ApplyStep; done: number; total: number }
  | { type: 'done'; result: ApplyResult }
  | { type: 'failed'; message: string; cancelled: boolean };
