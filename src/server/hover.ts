/**
 * Hovers: on an image path, a thumbnail with the file's size and pixel dimensions; on a record's
 * id (or its first character), a summary — group size, question, the label's first 200 characters
 * and the spot-check verdicts recorded for it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import type { Hover, MarkupContent } from 'vscode-languageserver/node';
import type { ResolvedImage } from '../core/imagePaths';
import type { DatasetModel } from './datasetModel';
import { readImageHeader } from './imageHeader';
import { imageAt } from './imageAt';
import { clip, escapeMarkdown } from './markdownText';
import type { KeyVerdict } from './spotcheckVerdicts';
import { thumbnailDataUri } from './thumbnail';

export interface HoverContext {
  imageRoot: string;
  /** Verdicts per item key for this dataset. */
  verdicts: () => Map<string, KeyVerdict[]>;
  /** The item key of record i (id when unique, else #i). */
  keyOf: (i: number) => string;
  /** Hash of record i's raw text (to tell whether a verdict was given on the current text). */
  hashOf: (i: number) => string;
}

const md = (value: string): MarkupContent => ({ kind: 'markdown', value });

export async function provideHover(model: DatasetModel, offset: number, ctx: HoverContext): Promise<Hover | null> {
  const img = imageAt(model, offset, ctx.imageRoot);
  const range = (a: number, b: number): Hover['range'] => ({ start: model.doc.positionAt(a), end: model.doc.positionAt(b) });
  if (img) return { contents: md(await imageHoverText(img.value, img.resolved)), range: range(img.start, img.end) };
  const i = model.recordAt(offset);
  if (i < 0) return null;
  const span = model.spans[i];
  const raw = model.raw(i);
  const rel = offset - span.start;
  let onId = rel === 0;
  if (!onId) {
    const tree = parseTree(raw);
    const idNode = tree ? findNodeAtLocation(tree, [model.mapping?.id ?? 'id']) : undefined;
    const prop = idNode?.parent;
    if (prop && rel >= prop.offset && rel <= prop.offset + prop.length) onId = true;
  }
  if (!onId) return null;
  return { contents: md(recordSummary(model, i, ctx)), range: range(span.start, Math.min(span.end, span.start + 1)) };
}

export async function imageHoverText(value: string, resolved: ResolvedImage): Promise<string> {
  const lines: string[] = [];
  if (!resolved.ok) {
    lines.push(`**${escapeMarkdown(value)}**`, '', `⚠ ${escapeMarkdown(resolved.reason)}`);
    return lines.join('\n');
  }
  const file = resolved.abs;
  let bytes = 0;
  try {
    bytes = fs.statSync(file).size;
  } catch {
    /* vanished */
  }
  let dims = '';
  try {
    const h = readImageHeader(file);
    if (h) dims = `${h.width} × ${h.height} px · ${h.type.toUpperCase()}`;
  } catch {
    /* unreadable */
  }
  const fileUri = pathToFileURL(file).href;
  const thumb = await thumbnailDataUri(file);
  lines.push(`![${escapeMarkdown(path.basename(file))}](${thumb ?? fileUri})`, '');
  lines.push(`**${escapeMarkdown(value)}** — ${[dims, formatBytes(bytes)].filter(Boolean).join(' · ')}`, '');
  lines.push(`[Open image](${fileUri})`);
  return lines.join('\n');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const VERDICT_MARK: Record<string, string> = { correct: '✔ correct', incorrect: '✘ incorrect', skip: '– skipped' };

function recordSummary(model: DatasetModel, i: number, ctx: HoverContext): string {
  const item = model.item(i);
  const line = model.spans[i].line + 1;
  const key = ctx.keyOf(i);
  const out: string[] = [`**Record ${i}** · ${key.startsWith('#') ? 'no unique id' : `id \`${key.replace(/`/g, "'")}\``} · line ${line}`, ''];
  if (!item) {
    out.push('The record is not valid JSON.');
    return out.join('\n');
  }
  const facts = [`format ${item.format}`, `${item.groupSize} image${item.groupSize === 1 ? '' : 's'}`];
  if (item.subset) facts.push(`subset ${escapeMarkdown(item.subset)}`);
  out.push(facts.join(' · '), '');
  if (item.question) out.push(`**Question:** ${escapeMarkdown(clip(item.question, 300))}`, '');
  if (item.candidates?.length) out.push(`**Options:** ${item.candidates.map((c, k) => `${'ABCDEFGHIJ'[k]}. ${escapeMarkdown(clip(c, 60))}`).join(' · ')}`, '');
  const label = item.correct ?? item.label;
  if (label !== undefined) out.push(`**Label:** ${escapeMarkdown(clip(label, 200))}`, '');
  const verdicts = ctx.verdicts().get(key) ?? [];
  if (verdicts.length === 0) out.push('_No spot-check verdict yet._');
  else {
    const hash = ctx.hashOf(i);
    out.push('**Spot checks:**');
    for (const v of verdicts) {
      const stale = v.hash && v.hash !== hash ? ' (given on an earlier version of this record)' : '';
      out.push(
        `- ${VERDICT_MARK[v.verdict] ?? v.verdict} — ${escapeMarkdown(v.reviewer)}, ${escapeMarkdown(v.spotcheck)}, ${escapeMarkdown(v.at.slice(0, 10))}${stale}${v.note ? `: ${escapeMarkdown(clip(v.note, 120))}` : ''}`,
      );
    }
  }
  return out.join('\n');
}
