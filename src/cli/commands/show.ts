import { RecordSyntaxError } from '../../core/dataset';
import { UsageError } from '../args';
import { emit, type Command } from '../command';
import { DATASET_BOOLEANS, DATASET_FLAGS, openDatasetFromArgs } from '../datasetArgs';

export const show: Command = {
  name: 'show',
  usage: 'cocurate show FILE INDEX|ID [--no-cache] [--format F] [--map item=field,…] [--json]',
  flags: { values: DATASET_FLAGS, booleans: DATASET_BOOLEANS },
  run(args, io) {
    const [file, which] = args.positionals;
    if (which === undefined) throw new UsageError('missing INDEX or ID');
    const ds = openDatasetFromArgs(file, args);
    try {
      const i = /^\d+$/.test(which) ? Number(which) : ds.findKey(which);
      if (i === undefined || i >= ds.count) {
        io.err(`cocurate show: ${ds.path}: no record ${/^\d+$/.test(which) ? `at index ${which} (the file has ${ds.count})` : `with id "${which}"`}\n`);
        return 2;
      }
      const bad = ds.invalidUtf8At(i);
      if (bad >= 0)
        io.err(`cocurate show: warning: ${ds.path}: record ${i} (line ${ds.index.line(i)}): invalid UTF-8 at byte offset ${bad}; shown as U+FFFD\n`);
      let item;
      try {
        item = ds.item(i);
      } catch (e) {
        if (e instanceof RecordSyntaxError) {
          io.err(`cocurate show: ${ds.path}: ${e.message}\n`);
          return 1;
        }
        throw e;
      }
      emit(args, io, item, () => {
        const lines = [
          `#${item.index}  key ${item.key}  line ${item.line}  ${item.format}  ${item.groupSize} image(s)${item.subset ? `  subset ${item.subset}` : ''}`,
        ];
        item.images.forEach((p, k) => lines.push(`  image ${k + 1}: ${p}`));
        if (item.question !== undefined) lines.push('', 'Question:', item.question);
        if (item.candidates?.length) lines.push('', ...item.candidates.map((c, k) => `  ${'ABCDEFGHIJ'[k]}. ${c}${c === item.correct ? '   ✓' : ''}`));
        if (item.label !== undefined) lines.push('', 'Label:', item.label);
        return lines.join('\n') + '\n';
      });
      return 0;
    } finally {
      ds.close();
    }
  },
};
