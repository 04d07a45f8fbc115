/**
 * A stand-in for the merging LLM, for demos and manual checks without a GPU: an OpenAI-compatible
 * server on 127.0.0.1 that answers the Merge2Compare templates by a fixed rule (descriptions that
 * mention "low" quality rank below "acceptable" ones; ties keep the given order). Its labels are
 * deliberately naive, so spot checks of its output find real mistakes on near-identical groups.
 *
 *   node out/test/support/standInMerger.js      (prints the base URL, runs until killed)
 */
import { ORDINAL_WORDS } from '../../src/core/ordinals';
import { startBuildTestServer, type BuildTestServer, type ChatRequestBody } from './buildTestServer';

const PREFIX_RE = /The (first|second|third|fourth) image: /g;

function score(desc: string): number {
  const d = desc.toLowerCase();
  let s = 0;
  if (/quality is (acceptable|good|high)/.test(d)) s += 2;
  if (/quality is low|poor/.test(d)) s -= 2;
  if (/\bslight\b/.test(d)) s += 1;
  if (/\b(strong|severe)\b/.test(d)) s -= 1;
  return s;
}

/** Splits "The first image: d0 The second image: d1 Question" into the descriptions. */
export function descriptionsOf(prompt: string): string[] {
  const marks = [...prompt.matchAll(PREFIX_RE)];
  return marks.map((m, i) => {
    const start = (m.index ?? 0) + m[0].length;
    const end = i + 1 < marks.length ? marks[i + 1].index : prompt.search(/ (Which image has better quality|Please rank the quality)/);
    return prompt.slice(start, end).trim();
  });
}

export function standInAnswer(body: ChatRequestBody): string {
  const c = body.messages[body.messages.length - 1].content;
  const prompt = typeof c === 'string' ? c : c.map((p) => p.text ?? '').join(' ');
  const descs = descriptionsOf(prompt);
  if (descs.length < 2) return 'I cannot compare these images.';
  const order = descs.map((d, i) => ({ i, s: score(d), d })).sort((a, b) => b.s - a.s || a.i - b.i);
  const name = (i: number): string => `the ${ORDINAL_WORDS[i]} image`;
  const why = (o: { i: number; d: string }): string => `${name(o.i).replace(/^t/, 'T')} ${o.d.replace(/^A photo of an? /i, 'shows ').replace(/\.$/, '')}.`;
  if (descs.length === 2) {
    const [a, b] = order;
    return `${name(a.i).replace(/^t/, 'T')} has better quality. ${why(a)} ${why(b)}`;
  }
  return `Ranking from best to worst: ${order.map((o) => name(o.i)).join(' > ')}. ${order.map(why).join(' ')}`;
}

export function startStandInMerger(): Promise<BuildTestServer> {
  return startBuildTestServer({ chat: standInAnswer });
}

if (require.main === module) {
  void startStandInMerger().then((s) => {
    process.stdout.write(`${s.url}\n`);
  });
}
