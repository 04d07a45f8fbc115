/**
 * Local text embeddings with transformers.js (@huggingface/transformers): `pipeline('feature-extraction')`,
 * mean pooling, L2 normalisation. Loads a model folder from disk with remote downloads off, or (hub mode)
 * downloads a named model once into a cache folder when online.
 *
 * The package is required lazily (it is large) through its CommonJS build, which Node selects by the
 * package's `exports.node.require` condition; this works from tsc's out/, from the esbuild bundles (the
 * package is external there) and inside the VS Code extension host.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TF from '@huggingface/transformers';
import { normalizeInPlace, type Embedder } from './embedder';

export interface TransformersEmbedderOptions {
  /** A model folder holding config.json, tokenizer.json, tokenizer_config.json and onnx/model*.onnx. */
  folder?: string;
  /** A hub model id (e.g. "Xenova/all-MiniLM-L6-v2") downloaded once into `cacheDir` when online. */
  hubModel?: string;
  cacheDir?: string;
  /** ONNX weights variant: 'fp32' loads onnx/model.onnx, 'q8' loads onnx/model_quantized.onnx. */
  dtype?: 'fp32' | 'q8';
  batchSize?: number;
}

type Extractor = (texts: string[], opts: { pooling: 'mean'; normalize: boolean }) => Promise<{ dims: number[]; data: Float32Array }>;

let library: typeof TF | undefined;
function loadLibrary(): typeof TF {
  if (library) return library;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    library = require('@huggingface/transformers') as typeof TF;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') throw e;
    // The packaged extension leaves transformers.js and ONNX Runtime out (~450 MB, see .vscodeignore).
    throw new Error(
      'Local text embeddings need @huggingface/transformers, which this installation does not include ' +
        '(the packaged extension leaves it out). Use an OpenAI-compatible embeddings endpoint instead (embedder url:URL), ' +
        'or run `cocurate build` from a source checkout after `npm ci`.',
    );
  }
  return library;
}

/** The weights variant a folder offers: fp32 when onnx/model.onnx exists, else q8. */
function defaultDtype(folder: string): 'fp32' | 'q8' {
  if (fs.existsSync(path.join(folder, 'onnx', 'model.onnx'))) return 'fp32';
  return 'q8';
}

export class TransformersEmbedder implements Embedder {
  readonly id: string;
  readonly batchSize: number;
  private extractor?: Promise<Extractor>;

  constructor(private readonly opts: TransformersEmbedderOptions) {
    if (!opts.folder && !opts.hubModel) throw new Error('TransformersEmbedder needs a model folder or a hub model id');
    this.batchSize = opts.batchSize ?? 32;
    const name = opts.folder ? `local:${path.resolve(opts.folder)}` : `hub:${opts.hubModel}`;
    this.id = `transformers:${name}:${opts.dtype ?? (opts.folder ? defaultDtype(opts.folder) : 'q8')}`;
  }

  private load(): Promise<Extractor> {
    this.extractor ??= (async () => {
      const tf = loadLibrary();
      let modelId: string;
      let dtype: 'fp32' | 'q8';
      if (this.opts.folder) {
        const folder = path.resolve(this.opts.folder);
        const missing = ['config.json', 'tokenizer.json', 'tokenizer_config.json'].filter((f) => !fs.existsSync(path.join(folder, f)));
        if (!fs.existsSync(folder) || missing.length > 0) {
          throw new Error(
            `embedding model folder ${folder} is missing ${fs.existsSync(folder) ? missing.join(', ') : 'entirely'}; ` +
              'provide a transformers.js model folder (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx or onnx/model_quantized.onnx), e.g. Xenova/all-MiniLM-L6-v2',
          );
        }
        dtype = this.opts.dtype ?? defaultDtype(folder);
        tf.env.allowRemoteModels = false;
        tf.env.allowLocalModels = true;
        tf.env.localModelPath = path.dirname(folder) + path.sep;
        modelId = path.basename(folder);
      } else {
        tf.env.allowRemoteModels = true;
        if (this.opts.cacheDir) {
          fs.mkdirSync(this.opts.cacheDir, { recursive: true });
          tf.env.cacheDir = this.opts.cacheDir;
        }
        modelId = this.opts.hubModel!;
        dtype = this.opts.dtype ?? 'q8';
      }
      try {
        const pipe = await tf.pipeline('feature-extraction', modelId, { dtype });
        return pipe as unknown as Extractor;
      } catch (e) {
        const msg = (e as Error).message;
        if (/not found locally|allowRemoteModels=false|Could not locate file/i.test(msg)) {
          const where = this.opts.folder ? path.resolve(this.opts.folder) : `${this.opts.cacheDir ?? 'the transformers.js cache'} (model ${modelId})`;
          throw new Error(`embedding model not found in ${where}: ${msg}. Provide the model folder with --embedder local:DIR`);
        }
        if (!this.opts.folder && /fetch|network|ENOTFOUND|ECONNREFUSED|EAI_AGAIN/i.test(msg)) {
          throw new Error(`could not download embedding model ${modelId} (offline?): ${msg}. Download it elsewhere and pass --embedder local:DIR`);
        }
        throw e;
      }
    })();
    return this.extractor;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const ex = await this.load();
    signal?.throwIfAborted();
    const out = await ex(texts, { pooling: 'mean', normalize: true });
    const dim = out.dims[out.dims.length - 1];
    const vecs: Float32Array[] = [];
    for (let i = 0; i < texts.length; i++) vecs.push(normalizeInPlace(Float32Array.from(out.data.subarray(i * dim, (i + 1) * dim))));
    return vecs;
  }

  async dispose(): Promise<void> {
    if (!this.extractor) return;
    try {
      const ex = (await this.extractor) as unknown as { dispose?: () => Promise<void> };
      await ex.dispose?.();
    } catch {
      /* never loaded */
    }
  }
}
