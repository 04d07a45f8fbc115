import { groupSizes } from '../../core/strata';
import { emit, type Command } from '../command';
import { DATASET_BOOLEANS, DATASET_FLAGS, openDatasetFromArgs } from '../datasetArgs';

export const info: Command = {
  name: 'info',
  usage: 'cocurate info FILE [--no-cache] [--format F] [--container jsonl|array|grouped] [--map item=field,…] [--json]',
  flags: { values: DATASET_FLAGS, booleans: DATASET_BOOLEANS },
  run(args, io) {
    const ds = openDatasetFromArgs(args.positionals[0], args);
    try {
      // Kept in the index cache's header: a cached info reads no column (indexCache.ts).
      const hist = ds.cachedValue(`groupSizeHistogram/${ds.format}`, () => histogram(groupSizes(ds)));
      const result = {
        format: ds.format,
        container: ds.container,
        items: ds.count,
        bytes: ds.bytes,
        groupSizes: hist,
        structureErrors: ds.index.errors.length + ds.index.errorsOmitted,
      };
      emit(args, io, result, () =>
        [
          `${ds.path}`,
          `  format       ${ds.format} (${ds.container})`,
          `  items        ${ds.count}`,
          `  bytes        ${ds.bytes}`,
          `  group sizes  ${Object.entries(hist)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')}`,
          ...(result.structureErrors ? [`  structure    ${result.structureErrors} error(s); run "cocurate validate"`] : []),
          '',
        ].join('\n'),
      );
      return 0;
    } finally {
      ds.close();
    }
  },
};

/** Records per group size (1–4 always listed; records that cannot be read are left out). */
function histogram(sizes: Int32Array): Record<string, number> {
  const counts = [0, 0, 0, 0, 0];
  for (const g of sizes) if (g >= 0) counts[g] = (counts[g] ?? 0) + 1;
  const hist: Record<string, number> = {};
  counts.forEach((c, g) => {
    if (g >= 1 || c > 0) hist[String(g)] = c ?? 0;
  });
  return hist;
}
