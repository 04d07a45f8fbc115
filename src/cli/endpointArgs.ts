/** Endpoint flags shared by ask, eval-mcq and twoafc: profile, key from the environment, cache, Ctrl-C. */
import * as path from 'node:path';
import { AnswerCache, answersPath } from '../core/endpoint/answerCache';
import { Asker, imageRootFor } from '../core/endpoint/asker';
import { EndpointClient } from '../core/endpoint/client';
import { apiKeyFromEnv, DEFAULT_API_KEY_ENV, resolveProfile, type ImagePreprocessing, type ResolvedProfile } from '../core/endpoint/profile';
import { curationFolderFor } from '../core/plan';
import { UsageError, type ParsedArgs } from './args';

export const ENDPOINT_VALUE_FLAGS = [
  'model',
  'name',
  'temperature',
  'max-tokens',
  'timeout-ms',
  'concurrency',
  'images',
  'image-size',
  'retries',
  'curation',
  'image-root',
];
export const ENDPOINT_BOOLEAN_FLAGS = ['no-stream', 'no-cache'];
export const ENDPOINT_REPEATABLE_FLAGS = ['endpoint'];

export const ENDPOINT_USAGE = [
  '  --endpoint URL     OpenAI-compatible base URL (e.g. http://127.0.0.1:8000/v1); repeat or comma-separate for replicas',
  '  --model M          model name sent with each request',
  `  --name NAME        profile name (answers cache .curator/answers/NAME.jsonl; default: the model)`,
  '  --temperature T  --max-tokens N  --timeout-ms MS  --retries N  --concurrency N',
  '  --images square|original   square: EXIF-rotate, pad to square (CLIP mean colour), resize (--image-size, 448); original: file bytes',
  '  --no-stream  --no-cache  --curation DIR (default .curator beside the dataset)  --image-root DIR (default: the dataset folder)',
  `  The API key is read from $${DEFAULT_API_KEY_ENV} (never from a flag; never written anywhere).`,
].join('\n');

export function endpointFlags(extra: { values?: string[]; booleans?: string[]; repeatable?: string[] } = {}) {
  return {
    values: [...ENDPOINT_VALUE_FLAGS, ...(extra.values ?? [])],
    booleans: [...ENDPOINT_BOOLEAN_FLAGS, ...(extra.booleans ?? [])],
    repeatable: [...ENDPOINT_REPEATABLE_FLAGS, ...(extra.repeatable ?? [])],
  };
}

export function profileFromArgs(args: ParsedArgs): ResolvedProfile {
  const endpoints = args
    .list('endpoint')
    .flatMap((e) => e.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (endpoints.length === 0) throw new UsageError('--endpoint URL is required');
  const model = args.str('model');
  if (!model) throw new UsageError('--model M is required');
  const images = args.str('images');
  if (images !== undefined && images !== 'square' && images !== 'original') throw new UsageError('--images must be square or original');
  try {
    return resolveProfile({
      name: args.str('name'),
      baseURL: endpoints,
      model,
      apiKeySource: 'env',
      temperature: args.num('temperature'),
      maxTokens: args.num('max-tokens'),
      timeoutMs: args.num('timeout-ms'),
      concurrency: args.num('concurrency'),
      maxRetries: args.num('retries'),
      imagePreprocessing: images as ImagePreprocessing | undefined,
      imageSize: args.num('image-size'),
      stream: !args.bool('no-stream'),
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export interface EndpointSetup {
  profile: ResolvedProfile;
  asker: Asker;
  cache: AnswerCache;
  curationFolder: string;
}

/** Profile, client, cache and asker for a dataset. */
export function setupEndpoint(args: ParsedArgs, datasetPath: string, env: NodeJS.ProcessEnv = process.env): EndpointSetup {
  const profile = profileFromArgs(args);
  const curationFolder = args.str('curation') ? path.resolve(args.str('curation')!) : curationFolderFor(datasetPath);
  const cache = AnswerCache.open(args.bool('no-cache') ? undefined : answersPath(curationFolder, profile));
  const client = new EndpointClient(profile, apiKeyFromEnv(profile, env));
  const asker = new Asker(profile, client, cache, imageRootFor(datasetPath, args.str('image-root')));
  return { profile, asker, cache, curationFolder };
}

/** An AbortSignal that fires on Ctrl-C (SIGINT) while `fn` runs. */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctrl = new AbortController();
  const onSig = () => ctrl.abort();
  process.once('SIGINT', onSig);
  try {
    return await fn(ctrl.signal);
  } finally {
    process.removeListener('SIGINT', onSig);
  }
}

export const pct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(digits)} %`);
