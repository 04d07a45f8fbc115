import { decide as decideSpotCheck } from '../../core/curate/decide';
import { DECISION_VALUES, type DecisionValue } from '../../core/decisions';
import { decisionText } from '../../core/report/format';
import { osUserName } from '../../core/osUser';
import { UsageError } from '../args';
import { emit, type Command } from '../command';

export const decide: Command = {
  name: 'decide',
  usage: [
    'cocurate decide PLAN_DIR keep|drop|keep-with-corrections [--stratum NAME] [--by NAME] [--note TEXT] [--json]',
    '  Stores who, when and the report figures it rests on (n, k, rate, interval) in PLAN_DIR/decisions.json;',
    "  the latest decision per spot check and per stratum counts (a stratum's own before the spot check's).",
  ].join('\n'),
  flags: { values: ['stratum', 'by', 'note'] },
  run(args, io) {
    const [dir, value] = args.positionals;
    if (!dir) throw new UsageError('missing PLAN_DIR');
    if (!DECISION_VALUES.includes(value as DecisionValue))
      throw new UsageError(`the decision must be one of ${DECISION_VALUES.join(', ')}${value ? `, not "${value}"` : ''}`);
    if (args.positionals.length > 2) throw new UsageError(`unexpected argument "${args.positionals[2]}"`);
    const stratum = args.str('stratum');
    const { file, decision, spotcheck } = decideSpotCheck(dir, value as DecisionValue, { stratum, by: args.str('by') ?? osUserName(), note: args.str('note') });
    emit(args, io, { file, ...decision }, () => `${file}\n  ${spotcheck}${stratum !== undefined ? `, stratum ${stratum}` : ''}: ${decisionText(decision)}\n`);
    return 0;
  },
};
