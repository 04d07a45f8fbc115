/** Opening a dataset from CLI flags: --format, --container, --map, --no-cache. */
import { Dataset, type OpenOptions } from '../core/dataset';
import { FORMAT_IDS, parseFieldMapping, type FormatId } from '../core/item';
import type { Container } from '../core/recordIndex';
import { UsageError, type ParsedArgs } from './args';

export const DATASET_FLAGS = ['format', 'container', 'map'];
/** Boolean dataset flags: --no-cache bypasses the persistent index (read and write). */
export const DATASET_BOOLEANS = ['no-cache'];

export function openDatasetFromArgs(file: string | undefined, args: ParsedArgs, extra: Pick<OpenOptions, 'onProgress'> = {}): Dataset {
  if (!file) throw new UsageError('missing FILE (a .json or .jsonl dataset)');
  return Dataset.open(file, { ...datasetOptionsFromArgs(args), ...extra });
}

/** The open options the flags give (format, container, mapping, cache). */
export function datasetOptionsFromArgs(args: ParsedArgs): OpenOptions {
  const format = args.str('format');
  if (format !== undefined && !FORMAT_IDS.includes(format as FormatId)) {
    throw new UsageError(`unknown --format "${format}" (use ${FORMAT_IDS.join(', ')})`);
  }
  const container = args.str('container');
  if (container !== undefined && !['jsonl', 'array', 'grouped'].includes(container)) {
    throw new UsageError(`unknown --container "${container}" (use jsonl, array or grouped)`);
  }
  const map = args.str('map');
  let mapping;
  try {
    mapping = map ? parseFieldMapping(map) : undefined;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return {
    format: format as FormatId | undefined,
    container: container as Container | undefined,
    mapping,
    cache: args.bool('no-cache') ? false : undefined,
  };
}
