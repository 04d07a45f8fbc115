import { DEFAULT_MAX_DIAGNOSTICS, validateDataset } from '../../core/validate';
import { UsageError } from '../args';
import { emit, type Command } from '../command';
import { DATASET_BOOLEANS, DATASET_FLAGS, openDatasetFromArgs } from '../datasetArgs';

export const validate: Command = {
  name: 'validate',
  usage: `cocurate validate FILE [--images DIR] [--no-image-check] [--max-diagnostics N (default ${DEFAULT_MAX_DIAGNOSTICS}, 0: all)] [--no-cache] [--format F] [--map item=field,…] [--json]`,
  flags: { values: [...DATASET_FLAGS, 'images', 'max-diagnostics'], booleans: ['no-image-check', ...DATASET_BOOLEANS] },
  run(args, io) {
    const max = args.num('max-diagnostics', DEFAULT_MAX_DIAGNOSTICS) as number;
    if (!Number.isInteger(max) || max < 0) throw new UsageError(`--max-diagnostics must be a whole number ≥ 0, got "${args.str('max-diagnostics')}"`);
    const ds = openDatasetFromArgs(args.positionals[0], args);
    try {
      const res = validateDataset(ds, { imageRoot: args.str('images'), checkImages: !args.bool('no-image-check'), maxDiagnostics: max });
      emit(
        args,
        io,
        {
          items: res.items,
          format: res.format,
          errors: res.errors,
          warnings: res.warnings,
          omitted: res.omitted,
          diagnostics: res.diagnostics.map((d) => ({
            index: d.index,
            line: d.line,
            column: d.column,
            severity: d.severity,
            code: d.code,
            field: d.field,
            message: d.message,
          })),
        },
        () =>
          res.diagnostics.map((d) => `${ds.path}:${d.line}:${d.column}: ${d.severity} [${d.code}] ${d.message}\n`).join('') +
          (res.omitted ? `… and ${res.omitted} more diagnostic${res.omitted === 1 ? '' : 's'} not shown (raise --max-diagnostics to see more)\n` : '') +
          `${res.items} records (${res.format}): ${res.errors} error(s), ${res.warnings} warning(s)\n`,
      );
      return res.errors > 0 ? 1 : 0;
    } finally {
      ds.close();
    }
  },
};
