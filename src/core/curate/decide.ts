/**
 * Records a decision on a spot check or one of its strata (issue #17; ARCHITECTURE.md › Curation):
 * the report figures it rests on are read from the spot check as it stands, then the decision is
 * appended to `decisions.json` (src/core/decisions.ts). One code path for `cocurate decide` and the
 * report view's Decide buttons.
 */
import { recordDecision, type Decision, type DecisionValue } from '../decisions';
import { spotcheckReport, type SpotcheckReport } from '../report/model';

export interface DecideOptions {
  /** The stratum decided on; absent for the whole spot check. */
  stratum?: string;
  by: string;
  note?: string;
  /** Confidence level of the interval stored with it (default 0.95). */
  confidence?: number;
}

/** The report figures a decision rests on: the stratum's, or the whole spot check's. */
export function decisionBasis(rep: SpotcheckReport, stratum?: string): Decision['basis'] {
  const common = { confidence: rep.confidence, reviewers: rep.reviewers, fingerprint: rep.dataset.fingerprint };
  if (stratum === undefined) return { n: rep.n, k: rep.k, rate: rep.rate, ci: rep.ci, weighted: rep.weighted.rate, corrections: rep.corrections, ...common };
  const h = rep.strata.find((s) => s.name === stratum);
  if (!h) throw new Error(`spot check "${rep.name}" has no stratum "${stratum}" (strata: ${rep.strata.map((s) => s.name).join(', ')})`);
  return { n: h.n, k: h.k, rate: h.rate, ci: h.ci, corrections: h.corrections, ...common };
}

/** Appends the decision to the spot check's decisions.json (atomically); returns the file, the decision and the spot check's name. */
export function decide(planDir: string, value: DecisionValue, opts: DecideOptions): { file: string; decision: Decision; spotcheck: string } {
  const rep = spotcheckReport(planDir, { checkDrift: false, ...(opts.confidence !== undefined ? { confidence: opts.confidence } : {}) });
  const basis = decisionBasis(rep, opts.stratum);
  const decision: Decision = {
    ...(opts.stratum !== undefined ? { stratum: opts.stratum } : {}),
    decision: value,
    by: opts.by,
    at: new Date().toISOString(),
    basis,
    ...(opts.note ? { note: opts.note } : {}),
  };
  return { file: recordDecision(rep.dir, decision), decision, spotcheck: rep.name };
}
