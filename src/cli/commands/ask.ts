import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareItem } from '../../core/answers/agreement';
import { askSpotcheck, writeSpotcheckAnswers } from '../../core/answers/spotcheckAgreement';
import { Dataset, RecordSyntaxError } from '../../core/dataset';
import { CancelledError } from '../../core/endpoint/client';
import { publicEndpoint } from '../../core/endpoint/answerCache';
import { readPlan } from '../../core/plan';
import { UsageError, type ParsedArgs } from '../args';
import type { Command, CommandIO } from '../command';
import { DATASET_FLAGS, openDatasetFromArgs } from '../datasetArgs';
import { ENDPOINT_USAGE, endpointFlags, pct, setupEndpoint, withInterrupt } from '../endpointArgs';

const indent = (s: string | undefined) => (s ?? '(none)').split('\n').map((l) => `  ${l}`).join('\n');

function isPlanPath(p: string): boolean {
  if (p.endsWith('plan.json')) return true;
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

async function askOne(file: string, which: string, args: ParsedArgs, io: CommandIO): Promise<number> {
  const ds = openDatasetFromArgs(file, args);
  try {
    const i = /^\d+$/.test(which) ? Number(which) : ds.findKey(which);
    if (i === undefined || i >= ds.count) {
      io.err(`cocurate ask: ${ds.path}: no record ${/^\d+$/.test(which) ? `at index ${which} (the file has ${ds.count})` : `with id "${which}"`}\n`);
      return 2;
    }
    let item;
    try { item = ds.item(i); } catch (e) {
      if (e instanceof RecordSyntaxError) { io.err(`cocurate ask: ${ds.path}: ${e.message}\n`); return 1; }
      throw e;
    }
    const { profile, asker } = setupEndpoint(args, ds.path);
    const json = args.bool('json');
    const stream = !json && process.stdout.isTTY === true;
    if (stream) io.out(`Answer (${profile.name}):\n  `);
    const answer = await withInterrupt((signal) => asker.askItem(item, {
      signal,
      onDelta: stream ? (d) => io.out(d.replace(/\n/g, '\n  ')) : undefined,
      onRetry: (n, e, ms) => io.err(`cocurate ask: ${e.message}; retry ${n} in ${(ms / 1000).toFixed(1)} s\n`),
    }));
    const cmp = compareItem(item, answer.text);
    if (json) {
      io.out(JSON.stringify({
        key: item.key, index: item.index, images: item.images, question: cmp.question, label: item.label, answer: answer.text,
        labelParsed: cmp.labelParsed, answerParsed: cmp.answerParsed, labelChoice: cmp.labelChoice, answerChoice: cmp.answerChoice,
        agreement: cmp.status, cached: answer.cached, ms: Math.round(answer.ms), attempts: answer.attempts,
        profile: { name: profile.name, model: profile.model, endpoint: profile.baseURLs.map(publicEndpoint) },
      }, null, 2) + '\n');
      return 0;
    }
    if (stream) io.out('\n\n');
    // Streamed to a terminal, the answer is already on screen above; the block below sums up.
    const lines = [
      `#${item.index}  key ${item.key}  ${item.images.length} image(s): ${item.images.join(', ')}`,
      '',
      'Question:', indent(cmp.question),
      '',
      `Label:                      → ${cmp.labelChoice}`, indent(item.label),
      '',
      `Answer (${profile.name}${answer.cached ? ', cached' : ''}):`.padEnd(28) + ` → ${cmp.answerChoice}`, ...(stream ? [] : [indent(answer.text)]),
      '',
      `Agreement: ${cmp.status}`,
      '',
    ];
    io.out(lines.join('\n'));
    return 0;
  } finally {
    ds.close();
  }
}

async function askPlan(planPath: string, args: ParsedArgs, io: CommandIO): Promise<number> {
  const plan = readPlan(planPath);
  const ds = Dataset.open(plan.datasetAbs, { format: plan.dataset.format as never });
  try {
    const { profile, asker } = setupEndpoint(args, ds.path);
    const res = await withInterrupt((signal) => askSpotcheck(ds, plan, asker, {
      concurrency: args.num('concurrency') ?? profile.concurrency,
      signal,
      onProgress: (done, total) => { if (!args.bool('json')) io.err(`\r${done}/${total} answered`); },
    }));
    if (!args.bool('json')) io.err('\n');
    const file = writeSpotcheckAnswers(plan.dir, profile.slug, res);
    const s = res.summary;
    if (args.bool('json')) {
      io.out(JSON.stringify({ file, ...res, items: undefined }, null, 2) + '\n');
    } else {
      const lines = [
        file,
        `  ${profile.name}: ${s.answered}/${plan.items.length} answered${s.failed ? `, ${s.failed} failed` : ''}${res.cancelled ? ' (cancelled)' : ''}`,
        `  agreement label vs model: ${s.agree}/${s.compared} = ${pct(s.rate)}   (label unparsed ${s.labelUnparsed}, answer unparsed ${s.answerUnparsed}, not comparable ${s.differentKinds})`,
      ];
      if (res.drifted.length) lines.push(`  ${res.drifted.length} item(s) changed since the plan was drawn: ${res.drifted.slice(0, 5).join(', ')}${res.drifted.length > 5 ? ', …' : ''}`);
      if (res.disagreements.length) {
        lines.push('', 'Disagreements:');
        for (const d of res.disagreements) lines.push(`  ${d.key.padEnd(24)} label → ${d.labelChoice};  model → ${d.answerChoice}`);
      }
      for (const f of res.failures.slice(0, 10)) lines.push(`  failed ${f.key}: ${f.error}`);
      io.out(lines.join('\n') + '\n');
    }
    if (res.cancelled) { io.err(`cocurate ask: cancelled; ${s.answered} answers kept in the cache\n`); return 2; }
    return res.failures.length > 0 ? 1 : 0;
  } finally {
    ds.close();
  }
}

export const ask: Command = {
  name: 'ask',
  summary: "ask a served model an item's question and show its answer beside the label (or a whole spot check)",
  usage: [
    'cocurate ask FILE INDEX|ID --endpoint URL --model M [--json]',
    'cocurate ask PLAN_DIR --endpoint URL --model M [--concurrency N] [--json]   (writes PLAN_DIR/agreement-<name>.json)',
    ENDPOINT_USAGE,
  ].join('\n'),
  flags: endpointFlags({ values: DATASET_FLAGS }),
  async run(args, io) {
    const [target, which] = args.positionals;
    if (!target) throw new UsageError('missing FILE INDEX|ID or PLAN_DIR');
    try {
      if (which === undefined) {
        if (!isPlanPath(target)) throw new UsageError(`missing INDEX or ID (or give a spot-check folder instead of ${path.basename(target)})`);
        return await askPlan(target, args, io);
      }
      return await askOne(target, which, args, io);
    } catch (e) {
      if (e instanceof CancelledError) { io.err('cocurate ask: cancelled\n'); return 2; }
      throw e;
    }
  },
};
