/**
 * "Curator: Add Endpoint…" (ARCHITECTURE.md › Extension host): the short form beside editing
 * `curator.endpoints` in settings.json. Four quick inputs — base URL, model, profile name, API
 * key — with step numbers, validation messages and a Back button; Escape at any step writes
 * nothing. The profile is appended to the workspace settings (user settings when no folder is
 * open) with `apiKeySource: "secret"`, and the key goes to SecretStorage through the same path as
 * "Set Endpoint API Key…" (./askFeature.ts storeEndpointKey); an empty key (a server without auth)
 * writes `apiKeySource: "none"`. The key is never written to settings.
 */
import * as vscode from 'vscode';
import { normalizeBaseURL, slugify, type EndpointProfile } from '../../core/endpoint/profile';
import type { CommandFactory } from '../commands';
import { storeEndpointKey } from './askFeature';

const TITLE = 'Add Endpoint';
const STEPS = 4;
const BACK = Symbol('back');

interface InputStep {
  step: number;
  prompt: string;
  placeholder?: string;
  value?: string;
  password?: boolean;
  /** A message when the value is refused, else undefined. */
  validate: (value: string) => string | undefined;
}

/** One input box of the form: the accepted value, BACK, or undefined when dismissed (Escape). */
function askStep(s: InputStep): Promise<string | typeof BACK | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = TITLE;
    box.step = s.step;
    box.totalSteps = STEPS;
    box.prompt = s.prompt;
    box.placeholder = s.placeholder;
    box.value = s.value ?? '';
    box.password = s.password ?? false;
    box.ignoreFocusOut = true;
    box.buttons = s.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    let settled = false;
    const finish = (v: string | typeof BACK | undefined): void => {
      if (settled) return;
      settled = true;
      for (const d of subs) d.dispose();
      box.dispose();
      resolve(v);
    };
    const subs: vscode.Disposable[] = [
      box.onDidChangeValue((v) => {
        box.validationMessage = v === '' ? undefined : s.validate(v);
      }),
      box.onDidAccept(() => {
        const message = s.validate(box.value);
        box.validationMessage = message;
        if (!message) finish(box.value);
      }),
      box.onDidTriggerButton((b) => {
        if (b === vscode.QuickInputButtons.Back) finish(BACK);
      }),
      box.onDidHide(() => finish(undefined)),
    ];
    box.show();
  });
}

/** Names (as slugs) of every profile already in `curator.endpoints`, disabled ones included. */
function existingSlugs(entries: unknown[]): Set<string> {
  const out = new Set<string>();
  for (const entry of entries) {
    const e = (entry ?? {}) as Partial<EndpointProfile>;
    const name = (typeof e.name === 'string' && e.name.trim()) || (typeof e.model === 'string' ? e.model : '');
    if (name) out.add(slugify(name));
  }
  return out;
}

/** Default profile name: the model's last path segment ("q-future/co-instruct" → "co-instruct"), numbered if taken. */
function defaultName(model: string, taken: Set<string>): string {
  const base = model.trim().split('/').filter(Boolean).pop() ?? model.trim();
  if (!taken.has(slugify(base))) return base;
  for (let i = 2; ; i++) if (!taken.has(slugify(`${base}-${i}`))) return `${base}-${i}`;
}

function checkURL(v: string): string | undefined {
  if (!v.trim()) return "Enter the server's base URL, e.g. http://127.0.0.1:8000/v1";
  try {
    normalizeBaseURL(v);
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^endpoint /, 'The URL ');
  }
}

/** Runs the form; returns the added profile's name, or undefined when cancelled. */
export const addEndpoint: CommandFactory = (ctx) => async (): Promise<string | undefined> => {
  const config = vscode.workspace.getConfiguration('curator');
  const inWorkspace = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
  const info = config.inspect<unknown[]>('endpoints');
  const scoped = inWorkspace ? info?.workspaceValue : info?.globalValue;
  // Arrays are not merged across scopes: start from what is in effect, so profiles from user
  // settings stay in effect once the workspace has its own list.
  const current = Array.isArray(scoped) ? scoped : (config.get<unknown[]>('endpoints') ?? []);
  const taken = existingSlugs([...current, ...(Array.isArray(info?.globalValue) ? info.globalValue : [])]);

  const answers = { url: '', model: '', name: '', key: '' };
  let nameTouched = false;
  let step = 1;
  while (step <= STEPS) {
    let got: string | typeof BACK | undefined;
    if (step === 1) {
      got = await askStep({
        step,
        prompt: 'Base URL of the OpenAI-compatible server (vLLM, SGLang, LMDeploy, a hosted VLM)',
        placeholder: 'http://127.0.0.1:8000/v1',
        value: answers.url,
        validate: checkURL,
      });
      if (typeof got === 'string') answers.url = normalizeBaseURL(got);
    } else if (step === 2) {
      got = await askStep({
        step,
        prompt: 'Model name the server expects',
        placeholder: 'q-future/co-instruct',
        value: answers.model,
        validate: (v) => (v.trim() ? undefined : 'Enter the model name, e.g. q-future/co-instruct'),
      });
      if (typeof got === 'string') answers.model = got.trim();
    } else if (step === 3) {
      got = await askStep({
        step,
        prompt: 'Profile name: the column title and the answers cache name (.curator/answers/<name>.jsonl)',
        value: nameTouched ? answers.name : defaultName(answers.model, taken),
        validate: (v) => {
          if (!v.trim()) return 'Enter a profile name';
          if (taken.has(slugify(v))) return `A profile named "${v.trim()}" exists already in curator.endpoints; choose another name`;
          return undefined;
        },
      });
      if (typeof got === 'string') {
        answers.name = got.trim();
        nameTouched = true;
      }
    } else {
      got = await askStep({
        step,
        prompt: 'API key, stored in VS Code SecretStorage (never in settings). Leave empty for a server without auth.',
        password: true,
        value: answers.key,
        validate: () => undefined,
      });
      if (typeof got === 'string') answers.key = got.trim();
    }
    if (got === undefined) return undefined;
    step += got === BACK ? -1 : 1;
  }

  const profile: EndpointProfile & { name: string } = {
    name: answers.name,
    baseURL: answers.url,
    model: answers.model,
    apiKeySource: answers.key ? 'secret' : 'none',
  };
  try {
    // The key first: when the settings change, the profile finds its key.
    if (answers.key) await storeEndpointKey(ctx, profile.name, answers.key);
    const target = inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update('endpoints', [...current, profile], target);
  } catch (e) {
    void vscode.window.showErrorMessage(`Curator: could not add the endpoint "${profile.name}": ${(e as Error).message}`);
    return undefined;
  }
  ctx.log.info(`added endpoint profile "${profile.name}" (${profile.model} at ${answers.url}) to ${inWorkspace ? 'workspace' : 'user'} settings`);
  void vscode.window
    .showInformationMessage(
      `Curator: endpoint "${profile.name}" added to ${inWorkspace ? 'workspace' : 'user'} settings` +
        `${answers.key ? '; its key is in SecretStorage' : ' (no key)'}.` +
        (vscode.workspace.isTrusted ? ' "Curator: Ask Model" now asks it.' : ' Nothing is sent until you trust this workspace.'),
      'Open Settings',
    )
    .then((b) => {
      if (b === 'Open Settings')
        void vscode.commands.executeCommand(inWorkspace ? 'workbench.action.openWorkspaceSettingsFile' : 'workbench.action.openSettingsJson');
    });
  return profile.name;
};
