/**
 * JSON rendering of a report. The top-level shape is fixed by issue #4:
 * {spotchecks: [{name, n, k, skipped, rate, ci, method, strata: [{name, N, n, k, rate, ci}],
 *   weighted: {rate, ci}, reviewers}], comparisons: [{a, b, diff, ci, method, fisherP}],
 *  agreement: [{spotcheck, reviewers, items, raw, cohenKappa, fleissKappa, gwetAC1}]}
 * Extra fields (pending, confidence, drift, warnings, per-item rows, …) are added beside them.
 */
import type { Report } from './model';

export function reportToJson(report: Report): unknown {
  return {
    generatedAt: report.generatedAt,
    confidence: report.confidence,
    rule: report.rule,
    spotchecks: report.spotchecks.map((s) => ({
      name: s.name,
      n: s.n,
      k: s.k,
      skipped: s.skipped,
      rate: s.rate,
      ci: s.ci,
      method: s.method,
      strata: s.strata.map((h) => ({
        name: h.name,
        N: h.N,
        n: h.n,
        k: h.k,
        rate: h.rate,
        ci: h.ci,
        skipped: h.skipped,
        pending: h.pending,
        indicative: h.indicative,
        corrections: h.corrections,
        decision: h.decision,
      })),
      weighted: {
        rate: s.weighted.rate,
        ci: s.weighted.ci,
        se: s.weighted.se,
        nEff: s.weighted.nEff === Infinity ? null : s.weighted.nEff,
        coverage: s.weighted.coverage,
        method: s.weighted.method,
        fpc: s.weighted.fpc,
        notes: s.weighted.notes,
      },
      reviewers: s.reviewers,
      pending: s.pending,
      disputed: s.disputed,
      confidence: s.confidence,
      seed: s.seed,
      size: s.size,
      strataBy: s.strataBy,
      population: s.population,
      dataset: s.dataset,
      drift: s.drift,
      warnings: s.warnings,
      reasons: s.reasons,
      corrections: s.corrections,
      decisions: s.decisions,
      items: s.items,
    })),
    comparisons: report.comparisons.map((c) => ({
      a: c.a,
      b: c.b,
      diff: c.diff,
      ci: c.ci,
      method: c.method,
      fisherP: c.fisherP,
      confidence: c.confidence,
      shared: c.shared,
    })),
    agreement: report.agreement.map((g) => ({
      spotcheck: g.spotcheck,
      reviewers: g.reviewers,
      items: g.items,
      raw: g.raw,
      cohenKappa: g.cohenKappa,
      fleissKappa: g.fleissKappa,
      gwetAC1: g.gwetAC1,
      ...(g.mcnemar ? { mcnemar: g.mcnemar } : {}),
    })),
  };
}

export function renderJson(report: Report): string {
  return JSON.stringify(reportToJson(report), null, 2) + '\n';
}
