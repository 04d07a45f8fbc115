/**
 * "Curator: Build Merge2Compare Data…" and "Curator: Build Teach2Compare Data…": run the core builder
 * with a cancellable progress notification. Thin: asks for what is missing (input, output, embedder,
 * and the endpoint — one of the `curator.endpoints` profiles with its stored key, or a URL and model),
 * remembers the answers per workspace, and hands everything to core/build/pipeline.
 * A cancelled or crashed run continues where it stopped when started again with the same answers.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { embedderFromSpec } from '../../core/embeddings/embedderSpec';
import { formatRetention } from '../../core/build/similarity';
import { removedPathFor, runMerge2Compare, runTeach2Compare, type BuildProgress, type BuildResult } from '../../core/build/pipeline';
import type { BuildEndpoint } from '../../core/build/buildCalls';
import { envApiKey } from '../../core/endpoint/profile';
import { apiKeyFor, readProfiles } from '../ask/endpointSettings';
import { curationFolder, imageRootFor } from '../settings';

export interface BuildCommandArgs {
  input?: string;
  out?: string;
  llm?: string;
  model?: string;
  /** local:DIR, url:URL or hub:MODEL (merge2compare). */
  embedder?: string;
  embedModel?: string;
  threshold?: number;
  seed?: string;
  pairs?: number;
  triples?: number;
  quads?: number;
  dryRun?: boolean;
  /** Skip the final "open" offer (tests). */
  quiet?: boolean;
}

const PHASE_TEXT: Record<BuildProgress['phase'], string> = {
  matching: 'matching groups',
  embedding: 'embedding descriptions',
  filtering: 'filtering similar groups',
  merging: 'merging with the LLM',
  teaching: 'asking the teacher',
  finishing: 'writing the output',
};

function remembered(context: vscode.ExtensionContext, key: string): string | undefined {
  return context.workspaceState.get<string>(`curator.build.${key}`);
}

async function ask(context: vscode.ExtensionContext, key: string, given: string | undefined, opts: vscode.InputBoxOptions): Promise<string | undefined> {
  if (given !== undefined) return given;
  const v = await vscode.window.showInputBox({ ...opts, value: remembered(context, key) ?? opts.value, ignoreFocusOut: true });
  if (v === undefined) return undefined;
  await context.workspaceState.update(`curator.build.${key}`, v.trim());
  return v.trim();
}

async function pickInput(arg: unknown, given: string | undefined, folders: boolean): Promise<string | undefined> {
  if (given) return given;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && /\.jsonl?$/i.test(active.fsPath)) return active.fsPath;
  const picked = await vscode.window.showOpenDialog({
    title: folders ? 'Images or descriptions to build from' : 'Single-image descriptions ({image, description})',
    canSelectMany: false,
    canSelectFolders: folders,
    canSelectFiles: true,
    filters: { 'JSON / JSONL': ['json', 'jsonl'] },
  });
  return picked?.[0]?.fsPath;
}

/**
 * The chat endpoint: given in args; or one of the `curator.endpoints` profiles (all its replicas; key
 * from SecretStorage or the environment, as for "Ask"); or a URL and a model typed in (key from
 * COCURATE_API_KEY, read by core as for the CLI). undefined when the user backs out.
 */
async function pickEndpoint(context: vscode.ExtensionContext, prefix: string, what: string, args: BuildCommandArgs): Promise<BuildEndpoint | undefined> {
  if (args.llm && args.model) return { baseURL: args.llm, model: args.model };
  const { profiles } = readProfiles();
  if (args.llm === undefined && profiles.length > 0) {
    const TYPE = 'Enter an endpoint URL and model…';
    const items = [
      ...profiles.map((p) => ({
        label: p.name,
        description: `${p.model} @ ${p.baseURLs[0]}${p.baseURLs.length > 1 ? ` and ${p.baseURLs.length - 1} more replica(s)` : ''}`,
        profile: p,
      })),
      { label: TYPE, description: '', profile: undefined },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `${prefix}: ${what}`, ignoreFocusOut: true });
    if (!pick) return undefined;
    if (pick.profile) {
      const p = pick.profile;
      return {
        baseURL: p.baseURLs,
        model: p.model,
        apiKeySource: p.apiKeySource,
        apiKeyEnv: p.apiKeyEnv,
        apiKey: await apiKeyFor(p, context.secrets),
        temperature: p.temperature,
        maxTokens: Math.max(p.maxTokens ?? 0, 1024),
        timeoutMs: p.timeoutMs,
        maxRetries: p.maxRetries,
      };
    }
  }
  const key = prefix === 'Teach2Compare' ? 't2c.' : '';
  const llm = await ask(context, `${key}llm`, args.llm, {
    title: `${prefix}: ${what}`,
    value: 'http://127.0.0.1:8000/v1',
    prompt: 'An OpenAI-compatible endpoint (base URL up to /v1)',
  });
  if (!llm) return undefined;
  const model = await ask(context, `${key}model`, args.model, { title: `${prefix}: model`, prompt: 'Model name on that endpoint' });
  if (!model) return undefined;
  return { baseURL: llm, model };
}

function summary(r: BuildResult): string {
  const parts = [`${r.groups} groups from ${r.units} images`];
  for (const o of r.outputs) parts.push(`${o.records} records → ${path.basename(o.file)}`);
  if (r.calls.cached) parts.push(`${r.calls.cached} calls from cache`);
  if (r.failures.length) parts.push(`${r.failures.length} failed (run again to retry)`);
  return parts.join('; ');
}

async function offerOpen(result: BuildResult, quiet: boolean | undefined): Promise<void> {
  if (result.stoppedAfterFailures) {
    void vscode.window.showErrorMessage(
      `Curator: the build stopped after ${result.failures.length} failed groups in a row: ${result.failures[result.failures.length - 1]?.error ?? ''}`,
    );
    return;
  }
  if (quiet) return;
  const files = result.outputs.filter((o) => o.records > 0 && !o.file.endsWith('.partial.jsonl')).map((o) => o.file);
  const buttons = files.map((f) => `Open ${path.basename(f)}`);
  const choice = await vscode.window.showInformationMessage(`Curator: ${summary(result)}`, ...buttons);
  const i = choice ? buttons.indexOf(choice) : -1;
  if (i >= 0) await vscode.commands.executeCommand('curator.openDataset', vscode.Uri.file(files[i]));
}

function withBuildProgress(
  title: string,
  output: vscode.OutputChannel,
  run: (signal: AbortSignal, onProgress: (p: BuildProgress) => void) => Promise<BuildResult>,
): Thenable<BuildResult | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    let lastShare = 0;
    let lastPhase = '';
    try {
      const result = await run(controller.signal, (p) => {
        if (p.phase !== lastPhase) {
          lastPhase = p.phase;
          lastShare = 0;
        }
        const share = p.total > 0 ? (100 * p.done) / p.total : 0;
        progress.report({
          message: `${PHASE_TEXT[p.phase]} ${p.done}/${p.total}${p.cached ? ` (${p.cached} cached)` : ''}`,
          increment: p.phase === 'merging' || p.phase === 'teaching' ? Math.max(0, share - lastShare) : undefined,
        });
        lastShare = share;
        output.appendLine(`${p.phase} ${p.done}/${p.total}`);
      });
      return controller.signal.aborted ? undefined : result;
    } catch (e) {
      if (controller.signal.aborted) return undefined;
      throw e;
    } finally {
      sub.dispose();
    }
  });
}

export async function buildMerge2Compare(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel,
  arg?: unknown,
  args: BuildCommandArgs = {},
): Promise<BuildResult | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Curator: building data calls endpoints and writes files; trust this workspace first.');
    return undefined;
  }
  const input = await pickInput(arg, args.input, false);
  if (!input) return undefined;
  const out = await ask(context, 'out', args.out, {
    title: 'Merge2Compare: output file',
    value: path.join(path.dirname(input), 'merge2compare.jsonl'),
    prompt: 'Kept groups go here; removed groups to the same name with ".removed"',
  });
  if (!out) return undefined;
  const embedder = await ask(context, 'embedder', args.embedder, {
    title: 'Merge2Compare: embedder',
    value: 'hub:Xenova/all-MiniLM-L6-v2',
    prompt: 'local:MODEL_FOLDER, url:http://host:port/v1 (an embeddings endpoint) or hub:MODEL_ID (downloaded once)',
  });
  if (!embedder) return undefined;
  let llm: BuildEndpoint | undefined;
  if (!args.dryRun) {
    llm = await pickEndpoint(context, 'Merge2Compare', 'the LLM that merges descriptions (text only)', args);
    if (!llm) return undefined;
  }
  const absOut = path.isAbsolute(out) ? out : path.resolve(path.dirname(input), out);
  const curator = curationFolder(input);
  const emb = embedderFromSpec(embedder, { model: args.embedModel, cacheDir: path.join(curator, 'models'), apiKey: envApiKey() });
  try {
    const result = await withBuildProgress('Curator: Merge2Compare', output, (signal, onProgress) =>
      runMerge2Compare({
        input,
        out: absOut,
        removedOut: removedPathFor(absOut),
        counts: { pairs: args.pairs, triples: args.triples, quads: args.quads },
        seed: args.seed ?? 0,
        curatorDir: curator,
        imageRoot: imageRootFor(input),
        embedder: emb,
        threshold: args.threshold ?? 0.9,
        llm,
        dryRun: args.dryRun,
        signal,
        onProgress,
      }),
    );
    if (!result) {
      void vscode.window.showInformationMessage('Curator: build cancelled; run it again with the same answers to continue.');
      return undefined;
    }
    if (result.retention && result.threshold !== undefined) output.appendLine(formatRetention(result.retention, result.threshold));
    if (!result.dryRun) await offerOpen(result, args.quiet);
    else if (!args.quiet)
      void vscode.window.showInformationMessage(
        `Curator: dry run — ${result.retention!.map((r) => `${r.kept}/${r.matched} of size ${r.size} kept`).join(', ')}`,
      );
    return result;
  } catch (e) {
    void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
    return undefined;
  } finally {
    await emb.dispose?.();
  }
}

export async function buildTeach2Compare(
  context: vscode.ExtensionContext,
  output: vscode.OutputChannel,
  arg?: unknown,
  args: BuildCommandArgs = {},
): Promise<BuildResult | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Curator: building data calls endpoints and writes files; trust this workspace first.');
    return undefined;
  }
  const input = await pickInput(arg, args.input, true);
  if (!input) return undefined;
  const base = /\.jsonl?$/i.test(input) ? path.dirname(input) : input;
  const out = await ask(context, 't2c.out', args.out, { title: 'Teach2Compare: output file', value: path.join(path.dirname(base), 'teach2compare.jsonl') });
  if (!out) return undefined;
  const teacher = await pickEndpoint(context, 'Teach2Compare', 'the teacher (a vision endpoint)', args);
  if (!teacher) return undefined;
  const absOut = path.isAbsolute(out) ? out : path.resolve(path.dirname(base), out);
  try {
    const result = await withBuildProgress('Curator: Teach2Compare', output, (signal, onProgress) =>
      runTeach2Compare({
        input,
        out: absOut,
        counts: { pairs: args.pairs, triples: args.triples, quads: args.quads },
        seed: args.seed ?? 0,
        curatorDir: curationFolder(absOut),
        teacher,
        signal,
        onProgress,
      }),
    );
    if (!result) {
      void vscode.window.showInformationMessage('Curator: build cancelled; run it again with the same answers to continue.');
      return undefined;
    }
    await offerOpen(result, args.quiet);
    return result;
  } catch (e) {
    void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
    return undefined;
  }
}
