import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareItem } from '../../core/answers/agreement';
import { askSpotcheck, planItem, writeSpotcheckAnswers } from '../../core/answers/spotcheckAgreement';
import { Dataset, RecordSyntaxError } from '../../core/dataset';
import { CancelledError } from '../../core/endpoint/client';
import { publicEndpoint } from '../../core/endpoint/answerCache';
import type { Asker } from '../../core/endpoint/asker';
import { customIdFor, readBatchOutput } from '../../core/endpoint/batchFiles';
import { readPlan, type PlanItem } from '../../core/plan';
import { UsageError, type ParsedArgs } from '../args';
import type { Command, CommandIO } from '../command';
import {
  BATCH_REPEATABLE_FLAGS,
  BATCH_USAGE,
  BATCH_VALUE_FLAGS,
  batchAsker,
  batchMode,
  reportBatchImport,
  writeBatchRequests,
  type BatchMode,
} from '../batchArgs';
import { DATASET_FLAGS, openDatasetFromArgs } from '../datasetArgs';
import { ENDPOINT_USAGE, endpointFlags, pct, setupEndpoint, withInterrupt } from '../endpointArgs';

const indent = (s: string | undefined) =>
  (s ?? '(none)')
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

function isPlanPath(p: string): boolean {
  if (p.endsWith('plan.json')) return true;
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
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
    try {
      item = ds.item(i);
    } catch (e) {
      if (e instanceof RecordSyntaxError) {
        io.err(`cocurate ask: ${ds.path}: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
    const { profile, asker } = setupEndpoint(args, ds.path);
    const json = args.bool('json');
    const stream = !json && process.stdout.isTTY === true;
    if (stream) io.out(`Answer (${profile.name}):\n  `);
    const answer = await withInterrupt((signal) =>
      asker.askItem(item, {
        signal,
        onDelta: stream ? (d) => io.out(d.replace(/\n/g, '\n  ')) : undefined,
        onRetry: (n, e, ms) => io.err(`cocurate ask: ${e.message}; retry ${n} in ${(ms / 1000).toFixed(1)} s\n`),
      }),
    );
    const cmp = compareItem(item, answer.text);
    if (json) {
      io.out(
        JSON.stringify(
          {
            key: item.key,
            index: item.index,
            images: item.images,
            question: cmp.question,
            label: item.label,
            answer: answer.text,
            labelParsed: cmp.labelParsed,
            answerParsed: cmp.answerParsed,
            labelChoice: cmp.labelChoice,
            answerChoice: cmp.answerChoice,
            agreement: cmp.status,
            cached: answer.cached,
            ms: Math.round(answer.ms),
            attempts: answer.attempts,
            profile: { name: profile.name, model: profile.model, endpoint: profile.baseURLs.map(publicEndpoint) },
          },
          null,
          2,
        ) + '\n',
      );
      return 0;
    }
    if (stream) io.out('\n\n');
    // Streamed to a terminal, the answer is already on screen above; the block below sums up.
    const lines = [
      `#${item.index}  key ${item.key}  ${item.images.length} image(s): ${item.images.join(', ')}`,
      '',
      'Question:',
      indent(cmp.question),
      '',
      `Label:                      → ${cmp.labelChoice}`,
      indent(item.label),
      '',
      `Answer (${profile.name}${answer.cached ? ', cached' : ''}):`.padEnd(28) + ` → ${cmp.answerChoice}`,
      ...(stream ? [] : [indent(answer.text)]),
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

async function askPlan(planPath: string, args: ParsedArgs, io: CommandIO, mode: BatchMode = { kind: 'live' }): Promise<number> {
  const plan = readPlan(planPath);
  const ds = Dataset.open(plan.datasetAbs, { format: plan.dataset.format });
  try {
    const { profile, asker: liveAsker } = setupEndpoint(args, ds.path);
    if (mode.kind === 'out') {
      const entries = plan.items.map((pi) => ({ key: pi.key, item: () => planItem(ds, pi) }));
      return await withInterrupt((signal) => writeBatchRequests(entries, liveAsker, mode.dir, `ask-${profile.slug}`, args, io, signal));
    }
    return await answerItems(ds, plan.dir, plan.items, liveAsker, args, io, mode);
  } finally {
    ds.close();
  }
}

/** Batch phases over a whole dataset file (no spot check): every item out; the answered items in. */
async function askFile(file: string, args: ParsedArgs, io: CommandIO, mode: BatchMode): Promise<number> {
  const ds = openDatasetFromArgs(file, args);
  try {
    const { profile, asker, curationFolder } = setupEndpoint(args, ds.path);
    const keys = Array.from({ length: ds.count }, (_, i) => ds.keyFor(i));
    if (mode.kind === 'out') {
      const entries = keys.map((key, i) => ({ key, item: () => ds.item(i) }));
      return await withInterrupt((signal) => writeBatchRequests(entries, asker, mode.dir, `ask-${profile.slug}`, args, io, signal));
    }
    // Only the items the output answers (or failed): the agreement file lives under the curation folder.
    const ids = new Set([...readBatchOutput(mode.kind === 'in' ? mode.files : []).results.keys()]);
    const items = keys.flatMap((key, index) => (ids.has(customIdFor(profile.slug, key)) ? [{ key, index, hash: ds.item(index).hash, stratum: '' }] : []));
    return await answerItems(ds, path.join(curationFolder, 'agreement', path.basename(ds.path)), items, asker, args, io, mode);
  } finally {
    ds.close();
  }
}

/** Asks (live, or from batch output) about planned items; writes DIR/agreement-<profile>.json. */
async function answerItems(ds: Dataset, dir: string, items: PlanItem[], liveAsker: Asker, args: ParsedArgs, io: CommandIO, mode: BatchMode): Promise<number> {
  const plan = { dir, items };
  const profile = liveAsker.profile;
  const fromBatch = mode.kind === 'in' ? batchAsker(liveAsker, mode.files) : undefined;
  const asker = fromBatch?.asker ?? liveAsker;
  const res = await withInterrupt((signal) =>
    askSpotcheck(ds, plan, asker, {
      concurrency: args.num('concurrency') ?? profile.concurrency,
      signal,
      onProgress: (done, total) => {
        if (!args.bool('json')) io.err(`\r${done}/${total} answered`);
      },
    }),
  );
  if (!args.bool('json')) io.err('\n');
  if (fromBatch) reportBatchImport('ask', fromBatch.output, fromBatch.asker, io);
  fs.mkdirSync(plan.dir, { recursive: true });
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
    if (res.drifted.length)
      lines.push(
        `  ${res.drifted.length} item(s) changed since the plan was drawn: ${res.drifted.slice(0, 5).join(', ')}${res.drifted.length > 5 ? ', …' : ''}`,
      );
    if (res.disagreements.length) {
      lines.push('', 'Disagreements:');
      for (const d of res.disagreements) lines.push(`  ${d.key.padEnd(24)} label → ${d.labelChoice};  model → ${d.answerChoice}`);
    }
    for (const f of res.failures.slice(0, 10)) lines.push(`  failed ${f.key}: ${f.error}`);
    io.out(lines.join('\n') + '\n');
  }
  if (res.cancelled) {
    io.err(`cocurate ask: cancelled; ${s.answered} answers kept in the cache\n`);
    return 2;
  }
  return res.failures.length > 0 ? 1 : 0;
}

export const ask: Command = {
  name: 'ask',
  usage: [
    'cocurate ask FILE INDEX|ID --endpoint URL --model M [--json]',
    'cocurate ask PLAN_DIR --endpoint URL --model M [--concurrency N] [--json]   (writes PLAN_DIR/agreement-<name>.json)',
    'cocurate ask PLAN_DIR|FILE --endpoint URL --model M --batch-out DIR | --batch-in FILE...   (two phases through batch files)',
    ENDPOINT_USAGE,
    BATCH_USAGE,
  ].join('\n'),
  flags: endpointFlags({ values: [...DATASET_FLAGS, ...BATCH_VALUE_FLAGS], repeatable: BATCH_REPEATABLE_FLAGS }),
  async run(args, io) {
    const [target, which] = args.positionals;
    if (!target) throw new UsageError('missing FILE INDEX|ID or PLAN_DIR');
    try {
      const batch = args.str('batch-out') !== undefined || args.list('batch-in').length > 0;
      if (batch) {
        const mode = batchMode(args, args.positionals.slice(1));
        return isPlanPath(target) ? await askPlan(target, args, io, mode) : await askFile(target, args, io, mode);
      }
      if (which === undefined) {
        if (!isPlanPath(target)) throw new UsageError(`missing INDEX or ID (or give a spot-check folder instead of ${path.basename(target)})`);
        return await askPlan(target, args, io);
      }
      return await askOne(target, which, args, io);
    } catch (e) {
      if (e instanceof CancelledError) {
        io.err('cocurate ask: cancelled\n');
        return 2;
      }
      throw e;
    }
  },
};
