import { DECISION_VALUES, recordDecision, type Decision, type DecisionValue } from '../../core/decisions';
import { spotcheckReport } from '../../core/report/model';
import { decisionText } from '../../core/report/format';
import { osUserName } from '../../core/osUser';
import { UsageError } from '../args';
import { emit, type Command } from '../command';

export const decide: Command = {
  name: 'decide',
  summary: 'record a decision on a spot check or one stratum (keep, drop, keep-with-corrections) in decisions.json',
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
    const rep = spotcheckReport(dir, { checkDrift: false });
    const stratum = args.str('stratum');
    let basis: Decision['basis'];
    if (stratum !== undefined) {
      const h = rep.strata.find((s) => s.name === stratum);
      if (!h) throw new UsageError(`spot check "${rep.name}" has no stratum "${stratum}" (strata: ${rep.strata.map((s) => s.name).join(', ')})`);
      basis = {
        n: h.n,
        k: h.k,
        rate: h.rate,
        ci: h.ci,
        confidence: rep.confidence,
        reviewers: rep.reviewers,
        corrections: h.corrections,
        fingerprint: rep.dataset.fingerprint,
      };
    } else {
      basis = {
        n: rep.n,
        k: rep.k,
        rate: rep.rate,
        ci: rep.ci,
        confidence: rep.confidence,
        weighted: rep.weighted.rate,
        reviewers: rep.reviewers,
        corrections: rep.corrections,
        fingerprint: rep.dataset.fingerprint,
      };
    }
    const note = args.str('note');
    const decision: Decision = {
      ...(stratum !== undefined ? { stratum } : {}),
      decision: value as DecisionValue,
      by: args.str('by') ?? osUserName(),
      at: new Date().toISOString(),
      basis,
      ...(note ? { note } : {}),
    };
    const file = recordDecision(rep.dir, decision);
    emit(args, io, { file, ...decision }, () => `${file}\n  ${rep.name}${stratum !== undefined ? `, stratum ${stratum}` : ''}: ${decisionText(decision)}\n`);
    return 0;
  },
};
