/**
 * Writes a tiny BERT-typed feature-extraction model folder that transformers.js loads for real
 * (tokenizer.json with a WordPiece model, config.json, tokenizer_config.json, onnx/model.onnx), with no
 * network and no dependencies. Used by tests and the embedding bench.
 *
 * The ONNX graph looks each token up in a table of fixed sign vectors (derived from a hash of the token
 * text) and zeroes padded positions; after mean pooling and normalisation, the cosine of two texts
 * grows with the words they share. A hashed bag of words, not a semantic model. Deterministic.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FLOAT, INT64, intAttr, model as onnxModel, node, tensor, valueInfo } from './onnxProto';

// ------------------------------------------------------------------ vocabulary and vectors
const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const PUNCTUATION = '.,;:!?\'"()[]{}-_/\\&%$#@*+=<>|~`^';
const BASE_WORDS = `a an the of and or to in on at by for with from as is are was were be been it its this that these those
there here which who what when where why how all any each some no not very more most less much many few than then also but
image images photo picture first second third fourth better worse best worst quality good poor fair high low excellent bad
sharp sharpness blur blurry blurred clear clarity noise noisy grain detail details texture textures focus focused
light lighting bright brightness dark darker exposure overexposed underexposed contrast colour color colours colors
saturation saturated vivid dull warm cool composition subject background foreground motion lens compression artifacts
jpeg pixel pixels resolution visible slight slightly strong strongly mild noticeable heavy heavily overall acceptable
rank ranking because while both other has have shows appears looks seems stay stays lost preserved loss fine`;
const STOP = new Set(
  'a an the of and or to in on at by for with from as is are was were be been it its this that these those there here which who what when where why how all any each some no not very than then also but'.split(
    ' ',
  ),
);

function tokenVector(token: string, dim: number): Float32Array {
  const v = new Float32Array(dim);
  let block = Buffer.alloc(0);
  for (let i = 0, b = 0; i < dim; i++, b++) {
    if (b >= block.length * 8) {
      block = createHash('sha256').update(`${token}#${i}`).digest();
      b = 0;
    }
    v[i] = (block[b >> 3] >> (b & 7)) & 1 ? 1 : -1;
  }
  const s = 1 / Math.sqrt(dim);
  for (let i = 0; i < dim; i++) v[i] *= s;
  return v;
}

export interface TinyModelOptions {
  dim?: number;
  /** Extra whole words (e.g. the words of a test's fixtures). */
  words?: Iterable<string>;
}

/** WordPiece vocabulary: special tokens, characters, ##characters, then whole words (sorted). */
export function vocabulary(extraWords: Iterable<string> = []): string[] {
  const words = new Set(BASE_WORDS.split(/\s+/).filter(Boolean));
  for (const w of extraWords) for (const part of w.toLowerCase().split(/[^a-z0-9]+/)) if (part.length > 1) words.add(part);
  return [...new Set([...SPECIAL, ...CHARS, ...PUNCTUATION, ...[...CHARS].map((c) => `##${c}`), ...[...words].sort()])];
}

/** Writes the model folder; returns its path. */
export function makeTinyEmbeddingModel(dir: string, opts: TinyModelOptions = {}): string {
  const dim = opts.dim ?? 64;
  const unique = vocabulary(opts.words);
  const weight = (t: string): number => {
    if (t === '[CLS]') return 0.02;
    if (SPECIAL.includes(t)) return 0;
    if (PUNCTUATION.includes(t)) return 0.05;
    if (t.startsWith('##') || t.length === 1) return 0.3;
    return STOP.has(t) ? 0.3 : 1;
  };
  const table = Buffer.alloc(unique.length * dim * 4);
  unique.forEach((t, i) => {
    const w = weight(t);
    if (w === 0) return;
    const v = tokenVector(t, dim);
    for (let j = 0; j < dim; j++) table.writeFloatLE(v[j] * w, (i * dim + j) * 4);
  });

  const model = onnxModel(
    {
      name: 'tiny_hashed_words',
      nodes: [
        node('Gather', ['embeddings.word', 'input_ids'], ['word'], [intAttr('axis', 0)]),
        node('Gather', ['embeddings.token_type', 'token_type_ids'], ['token_type'], [intAttr('axis', 0)]),
        node('Add', ['word', 'token_type'], ['summed']),
        node('Cast', ['attention_mask'], ['mask_float'], [intAttr('to', FLOAT)]),
        node('Unsqueeze', ['mask_float', 'last_axis'], ['mask_column']),
        node('Mul', ['summed', 'mask_column'], ['last_hidden_state']),
      ],
      initializers: [
        tensor('embeddings.word', FLOAT, [unique.length, dim], table),
        tensor('embeddings.token_type', FLOAT, [2, dim], Buffer.alloc(2 * dim * 4)),
        tensor('last_axis', INT64, [1], Buffer.from(new BigInt64Array([-1n]).buffer)),
      ],
      inputs: ['input_ids', 'attention_mask', 'token_type_ids'].map((n) => valueInfo(n, INT64, ['batch', 'tokens'])),
      outputs: [valueInfo('last_hidden_state', FLOAT, ['batch', 'tokens', dim])],
    },
    13,
  );

  writeBertFolder(dir, unique, { hidden_size: dim, num_hidden_layers: 0, num_attention_heads: 1, intermediate_size: dim }, model);
  return dir;
}

/** Writes tokenizer.json (WordPiece), tokenizer_config.json, config.json (model_type bert) and onnx/model.onnx. */
export function writeBertFolder(dir: string, unique: string[], shape: Record<string, number>, modelBytes: Buffer): void {
  const ids = new Map(unique.map((t, i) => [t, i]));
  const vocabObject = Object.fromEntries(unique.map((t, i) => [t, i]));
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((t) => ({ id: ids.get(t), content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [ids.get('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [ids.get('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: vocabObject },
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 512,
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  };
  const config = {
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: unique.length,
    ...shape,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    pad_token_id: ids.get('[PAD]'),
  };
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer) + '\n');
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), modelBytes);
}

if (require.main === module) {
  const [dir, dimArg] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: node makeTinyEmbeddingModel.js OUT_DIR [DIM]\n');
    process.exit(2);
  }
  makeTinyEmbeddingModel(dir, { dim: dimArg ? Number(dimArg) : undefined });
  process.stdout.write(`wrote ${dir}\n`);
}
