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
      const sizes = groupSizes(ds);
      const hist: Record<string, number> = { '1': 0, '2': 0, '3': 0, '4': 0 };
      for (const g of sizes) if (g >= 0) hist[String(g)] = (hist[String(g)] ?? 0) + 1;
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
