/**
 * Worker thread that scans the second half of a dataset file (ARCHITECTURE.md › Core, "Scanning on
 * two cores"); started by parallelScan.ts. It loads the record scanner alone, reads the file through
 * the descriptor it is given, posts the tail's columns (transferred) and raises the shared flag.
 */
import { workerData } from 'node:worker_threads';
import type { ScanWorkerAnswer, ScanWorkerData } from './parallelScan';
import { scanFileTail, tailTransfer } from './recordIndex';

const { job, fd, shared, port } = workerData as ScanWorkerData;
const flags = new Int32Array(shared, 0, 2);
const counts = new Float64Array(shared, 8, 2);
let answer: ScanWorkerAnswer;
try {
  const tail = scanFileTail(fd, job, (records, bytes) => {
    counts[0] = records;
    counts[1] = bytes;
    return Atomics.load(flags, 1) === 0;
  });
  answer = { ok: true, tail };
} catch (e) {
  answer = { ok: false, message: (e as Error).message };
}
port.postMessage(answer, answer.ok && answer.tail ? tailTransfer(answer.tail) : []);
Atomics.store(flags, 0, 1);
Atomics.notify(flags, 0);
