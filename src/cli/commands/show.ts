import { Dataset, DETECT_SAMPLE, RecordSyntaxError, type IdTable } from '../../core/dataset';
import type { Item } from '../../core/item';
import type { RecordIndex } from '../../core/recordIndex';
import { UsageError } from '../args';
import type { Command, CommandIO } from '../command';
import { DATASET_BOOLEANS, DATASET_FLAGS, datasetOptionsFromArgs, openDatasetFromArgs } from '../datasetArgs';

/**
 * `cocurate show FILE N`. When the dataset has to be scanned (no cache file yet), record N is
 * printed as soon as the scan has passed it, before the scan ends (ARCHITECTURE.md, "CLI"): its key
 * (the id when no other record has it, else #N) needs every record's id, so the text output puts the
 * key last and prints it once the scan is done. `--json` prints one whole object, after the scan.
 */
export const show: Command = {
  name: 'show',
  usage: 'cocurate show FILE INDEX|ID [--no-cache] [--format F] [--map item=field,…] [--json]',
  flags: { values: DATASET_FLAGS, booleans: DATASET_BOOLEANS },
  run(args, io) {
    const [file, which] = args.positionals;
    if (which === undefined) throw new UsageError('missing INDEX or ID');
    const wanted = /^\d+$/.test(which) ? Number(which) : undefined;
    let early: Early | undefined;
    const onProgress =
      wanted === undefined || args.bool('json')
        ? undefined
        : (records: number, _bytes: number, partial: RecordIndex): void => {
            // Format detection reads the first records: wait for them, as the whole dataset would.
            if (early === undefined && records > wanted && records >= DETECT_SAMPLE) early = showEarly(file as string, partial, wanted, args, io);
          };
    const ds = openDatasetFromArgs(file, args, { onProgress });
    try {
      const i = wanted ?? ds.findKey(which);
      if (i === undefined || i >= ds.count) {
        io.err(`cocurate show: ${ds.path}: no record ${wanted !== undefined ? `at index ${which} (the file has ${ds.count})` : `with id "${which}"`}\n`);
        return 2;
      }
      if (early && early.raw.equals(ds.rawBytes(i))) {
        if (early.syntaxError) return 1;
        io.out(keyLine(ds.keyFor(i)));
        return 0;
      }
      if (early) io.err(`cocurate show: warning: ${ds.path}: record ${i} changed while the file was read; shown again as it is now\n`);
      return print(ds, i, args.bool('json'), io, true);
    } finally {
      ds.close();
    }
  },
};

interface Early {
  /** The record's bytes as printed (compared with the record once the scan is done). */
  raw: Buffer;
  syntaxError: boolean;
}

/** Every id counted as unique: the key printed early is replaced by the real one at the end. */
const PROVISIONAL_IDS: IdTable = { hashes: new Float64Array(0), duplicates: new Set(), duplicateIds: new Map() };

/** Prints record i from the index so far (all but the key), during the scan. */
function showEarly(file: string, partial: RecordIndex, i: number, args: Parameters<Command['run']>[0], io: CommandIO): Early {
  const opts = datasetOptionsFromArgs(args);
  const ds = Dataset.fromIndex(file, partial, { format: opts.format, container: opts.container, mapping: opts.mapping, ids: PROVISIONAL_IDS });
  try {
    const raw = ds.rawBytes(i);
    const code = print(ds, i, false, { ...io, out: io.outNow ?? io.out }, false);
    return { raw, syntaxError: code === 1 };
  } finally {
    ds.close();
  }
}

const keyLine = (key: string): string => `key ${key}\n`;

/** Prints record i (text or JSON); the key line too when `withKey`. Returns the exit code. */
function print(ds: Dataset, i: number, json: boolean, io: CommandIO, withKey: boolean): number {
  const bad = ds.invalidUtf8At(i);
  if (bad >= 0) io.err(`cocurate show: warning: ${ds.path}: record ${i} (line ${ds.index.line(i)}): invalid UTF-8 at byte offset ${bad}; shown as U+FFFD\n`);
  let item: Item;
  try {
    item = ds.item(i);
  } catch (e) {
    if (e instanceof RecordSyntaxError) {
      io.err(`cocurate show: ${ds.path}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (json) io.out(JSON.stringify(item, null, 2) + '\n');
  else io.out(text(item) + (withKey ? keyLine(item.key) : ''));
  return 0;
}

function text(item: Item): string {
  const lines = [`#${item.index}  line ${item.line}  ${item.format}  ${item.groupSize} image(s)${item.subset ? `  subset ${item.subset}` : ''}`];
  item.images.forEach((p, k) => lines.push(`  image ${k + 1}: ${p}`));
  if (item.question !== undefined) lines.push('', 'Question:', item.question);
  if (item.candidates?.length) lines.push('', ...item.candidates.map((c, k) => `  ${'ABCDEFGHIJ'[k]}. ${c}${c === item.correct ? '   ✓' : ''}`));
  if (item.label !== undefined) lines.push('', 'Label:', item.label);
  lines.push('');
  return lines.join('\n') + '\n';
}
