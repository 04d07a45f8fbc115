/**
 * Endpoint profiles from the `curator.endpoints` setting, and their keys: VS Code SecretStorage
 * (set with "Curator: Set Endpoint API Key…"), else the environment variable the profile names
 * (COCURATE_API_KEY by default). Keys are never read from settings and never logged.
 */
import * as vscode from 'vscode';
import { apiKeyFromEnv, resolveProfile, type EndpointProfile, type ResolvedProfile } from '../../core/endpoint/profile';

export const SECRET_PREFIX = 'curator.endpointKey.';

export interface ProfileProblem {
  name: string;
  message: string;
}

/** Profiles with `enabled !== false`, checked; problems name the profile. */
export function readProfiles(): { profiles: ResolvedProfile[]; problems: ProfileProblem[] } {
  const raw = vscode.workspace.getConfiguration('curator').get<unknown[]>('endpoints', []);
  const profiles: ResolvedProfile[] = [];
  const problems: ProfileProblem[] = [];
  const seen = new Set<string>();
  (Array.isArray(raw) ? raw : []).forEach((entry, i) => {
    const e = (entry ?? {}) as EndpointProfile & { enabled?: boolean; apiKey?: unknown };
    const name = e.name || e.model || `profile ${i + 1}`;
    if (e.enabled === false) return;
    if (e.apiKey !== undefined) {
      problems.push({ name, message: 'has an "apiKey" field: keys do not belong in settings; use "Curator: Set Endpoint API Key…" (the field is ignored)' });
    }
    try {
      const p = resolveProfile({ ...e, apiKeySource: e.apiKeySource ?? 'secret' });
      if (seen.has(p.slug)) throw new Error(`a second profile is named "${p.name}"; names must differ`);
      seen.add(p.slug);
      profiles.push(p);
    } catch (err) {
      problems.push({ name, message: (err as Error).message });
    }
  });
  return { profiles, problems };
}

export async function apiKeyFor(p: ResolvedProfile, secrets: vscode.SecretStorage): Promise<string | undefined> {
  if (p.apiKeySource === 'none') return undefined;
  if (p.apiKeySource === 'secret') {
    const s = (await secrets.get(SECRET_PREFIX + p.name)) ?? (await secrets.get(SECRET_PREFIX + '*'));
    if (s) return s;
  }
  return apiKeyFromEnv(p);
}
