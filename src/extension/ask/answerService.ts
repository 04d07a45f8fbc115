/**
 * The extension's side of asking models: one Asker per (profile, dataset folder) with its answers
 * cache, rebuilt when the cache file changed elsewhere (the CLI) or a key was set; streams answers
 * into a curator view as ModelAnswer notifications; looks up cached answers without asking.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { compareItem } from '../../core/answers/agreement';
import { AnswerCache, answersPath } from '../../core/endpoint/answerCache';
import { Asker } from '../../core/endpoint/asker';
import { CancelledError, EndpointClient } from '../../core/endpoint/client';
import type { ResolvedProfile } from '../../core/endpoint/profile';
import type { Item } from '../../core/item';
import type { ModelAnswerView } from '../../protocol';
import { curationFolder, imageRootFor } from '../settings';
import { apiKeyFor } from './endpointSettings';

interface Entry {
  asker: Asker;
  mtimeMs: number;
  inFlight: number;
}

function mtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

export class AnswerService {
  private readonly askers = new Map<string, Entry>();

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Forget every asker (a key changed, settings changed). */
  reset(): void {
    this.askers.clear();
  }

  async askerFor(profile: ResolvedProfile, datasetPath: string): Promise<Entry> {
    const folder = curationFolder(datasetPath);
    const file = answersPath(folder, profile);
    const id = JSON.stringify([profile, folder, imageRootFor(datasetPath)]);
    const e = this.askers.get(id);
    if (e && (e.inFlight > 0 || e.mtimeMs === mtime(file))) return e;
    const key = await apiKeyFor(profile, this.secrets);
    const asker = new Asker(profile, new EndpointClient(profile, key), AnswerCache.open(file), imageRootFor(datasetPath));
    const entry = { asker, mtimeMs: mtime(file), inFlight: 0 };
    this.askers.set(id, entry);
    return entry;
  }

  /** Cached answers of every profile for an item, as views (nothing is sent). */
  async cached(profiles: ResolvedProfile[], datasetPath: string, item: Item): Promise<ModelAnswerView[]> {
    const out: ModelAnswerView[] = [];
    for (const p of profiles) {
      try {
        const e = await this.askerFor(p, datasetPath);
        const hit = await e.asker.cachedAnswer(item);
        if (hit) out.push(this.finished(p, item, hit.answer, 'cached'));
      } catch {
        /* no question, a refused image: nothing cached to show */
      }
    }
    return out;
  }

  private finished(p: ResolvedProfile, item: Item, text: string, state: 'done' | 'cached'): ModelAnswerView {
    const c = compareItem(item, text);
    return { key: item.key, profile: p.name, model: p.model, state, text, answerChoice: c.answerChoice, labelChoice: c.labelChoice, agreement: c.status };
  }

  /** Asks one profile about one item, reporting each stage (streamed text throttled to ~20 updates/s). */
  async ask(p: ResolvedProfile, datasetPath: string, item: Item, report: (v: ModelAnswerView) => void, signal?: AbortSignal): Promise<void> {
    const base = { key: item.key, profile: p.name, model: p.model };
    report({ ...base, state: 'asking', text: '' });
    let text = '';
    let last = 0;
    let e: Entry | undefined;
    try {
      e = await this.askerFor(p, datasetPath);
      e.inFlight++;
      const a = await e.asker.askItem(item, {
        signal,
        onDelta: (d) => {
          text += d;
          const now = Date.now();
          if (now - last > 50) {
            last = now;
            report({ ...base, state: 'streaming', text });
          }
        },
        onRetry: (_n, err, ms) => {
          text = '';
          report({ ...base, state: 'asking', text: '', error: `${err.message}; retrying in ${(ms / 1000).toFixed(1)} s` });
        },
      });
      report(this.finished(p, item, a.text, a.cached ? 'cached' : 'done'));
    } catch (err) {
      if (err instanceof CancelledError) {
        report({ ...base, state: 'cancelled', text });
        return;
      }
      const msg = (err as Error).message;
      this.log.warn(`${p.name}: ${item.key}: ${msg}`);
      report({ ...base, state: 'error', text, error: msg });
    } finally {
      if (e) {
        e.inFlight--;
        e.mtimeMs = mtime(answersPath(curationFolder(datasetPath), p));
      }
    }
  }
}
