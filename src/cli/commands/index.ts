/**
 * Every cocurate command, in the order --help lists them: its name, its one-line summary and how to
 * load it. A command's module (and what it pulls in: the endpoint client, sharp, the language
 * server …) is loaded only when that command runs, so `cocurate info` starts as fast as a small
 * script (ARCHITECTURE.md, "CLI"). The esbuild bundle keeps every module in one file; each one is
 * evaluated on its first import().
 */
import type { Command } from '../command';

export interface CommandEntry {
  name: string;
  /** One line: what it does (--help lists it). */
  summary: string;
  /** Loads the command's module (evaluated once, on first use). */
  load(): Promise<Command>;
}

export const COMMANDS: CommandEntry[] = [
  { name: 'info', summary: 'format, record count, size and group sizes of a dataset', load: async () => (await import('./info')).info },
  {
    name: 'validate',
    summary: 'check every record: syntax, fields, placeholders, ordinals, ids, answers, image paths',
    load: async () => (await import('./validate')).validate,
  },
  {
    name: 'show',
    summary: 'print one record as a normalised item (by 0-based index, #index or id)',
    load: async () => (await import('./show')).show,
  },
  { name: 'sample', summary: 'draw a reproducible spot-check sample and write its plan.json', load: async () => (await import('./sample')).sample },
  {
    name: 'report',
    summary: 'correctness of spot checks with Wilson intervals, comparisons and reviewer agreement',
    load: async () => (await import('./report')).report,
  },
  {
    name: 'decide',
    summary: 'record a decision on a spot check or one stratum (keep, drop, keep-with-corrections) in decisions.json',
    load: async () => (await import('./decide')).decide,
  },
  {
    name: 'apply',
    summary: 'write the curated dataset: drop items judged incorrect, apply corrections and decisions; untouched records byte-identical',
    load: async () => (await import('./apply')).apply,
  },
  {
    name: 'lsp',
    summary: 'run the dataset language server (diagnostics, hovers, quick fixes) for any LSP editor',
    load: async () => (await import('./lsp')).lsp,
  },
  {
    name: 'build',
    summary: 'build comparison data: merge2compare (descriptions → LLM-merged comparisons) or teach2compare (VLM teacher)',
    load: async () => (await import('./build')).build,
  },
  {
    name: 'ask',
    summary: "ask a served model an item's question and show its answer beside the label (or a whole spot check)",
    load: async () => (await import('./ask')).ask,
  },
  {
    name: 'eval-mcq',
    summary: 'multiple-choice accuracy of a served model (Q-Bench A1 / MICBench layouts), per-item answers saved',
    load: async () => (await import('./eval-mcq')).evalMcq,
  },
  {
    name: 'twoafc',
    summary: '2AFC evaluation on an IQA score list (consistency κ, accuracy, Thurstone MAP scores, PLCC/SRCC)',
    load: async () => (await import('./twoafc')).twoafc,
  },
  {
    name: 'cues',
    summary: 'measure image cues, check the claims of each label against them, rank items by suspicion',
    load: async () => (await import('./cues')).cues,
  },
];
