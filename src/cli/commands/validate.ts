import { validateDataset } from '../../core/validate';
import { emit, type Command } from '../command';
import { DATASET_FLAGS, openDatasetFromArgs } from '../datasetArgs';

export const validate: Command = {
  name: 'validate',
  summary: 'check every record: syntax, fields, placeholders, ordinals, ids, answers, image paths',
  usage: 'cocurate validate FILE [--images DIR] [--no-image-check] [--format F] [--map item=field,…] [--json]',
  flags: { values: [...DATASET_FLAGS, 'images'], booleans: ['no-image-check'] },
  run(args, io) {
    const ds = openDatasetFromArgs(args.positionals[0], args);
    try {
      const res = validateDataset(ds, { imageRoot: args.str('images'), checkImages: !args.bool('no-image-check') });
      const errors = res.diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = res.diagnostics.length - errors;
      emit(
        args,
        io,
        {
          items: res.items,
          format: res.format,
          diagnostics: res.diagnostics.map((d) => ({ index: d.index, line: d.line, column: d.column, severity: d.severity, code: d.code, field: d.field, message: d.message })),
        },
        () =>
          res.diagnostics.map((d) => `${ds.path}:${d.line}:${d.column}: ${d.severity} [${d.code}] ${d.message}\n`).join('') +
          `${res.items} records (${res.format}): ${errors} error(s), ${warnings} warning(s)\n`,
      );
      return errors > 0 ? 1 : 0;
    } finally {
      ds.close();
    }
  },
};
