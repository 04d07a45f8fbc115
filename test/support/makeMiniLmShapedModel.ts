/**
 * A random-weight BERT encoder with all-MiniLM-L6-v2's shapes (6 layers, hidden 384, 12 heads,
 * intermediate 1536, 512 positions) as a transformers.js model folder, for measuring embedding speed
 * offline. The weights are seeded noise, so its vectors mean nothing; its cost per sentence is that of
 * the real model (the vocabulary is smaller, which changes only the size of one lookup table).
 */
import { Random } from '../../src/core/random';
import { FLOAT, floatAttr, floatTensor, int64Tensor, intAttr, intsAttr, model, node, valueInfo, INT64 } from './onnxProto';
import { vocabulary, writeBertFolder } from './makeTinyEmbeddingModel';

export interface EncoderShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  positions: number;
}

export const MINILM_L6: EncoderShape = { layers: 6, hidden: 384, heads: 12, intermediate: 1536, positions: 512 };

export function makeMiniLmShapedModel(dir: string, opts: { words?: Iterable<string>; shape?: EncoderShape; seed?: number } = {}): string {
  const s = opts.shape ?? MINILM_L6;
  const vocab = vocabulary(opts.words);
  const rng = new Random(`encoder:${opts.seed ?? 1}`);
  const noise = (n: number, scale: number): Float32Array => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * scale;
    return a;
  };
  const ones = (n: number): Float32Array => new Float32Array(n).fill(1);
  const H = s.hidden, I = s.intermediate, dh = H / s.heads;
  const nodes: Buffer[] = [];
  const inits: Buffer[] = [];
  const w = (name: string, dims: number[], values: Float32Array): string => { inits.push(floatTensor(name, dims, values)); return name; };
  const scalar = (name: string, v: number): string => w(name, [], Float32Array.of(v));
  const ints = (name: string, v: number[]): string => { inits.push(int64Tensor(name, v)); return name; };
  const op = (type: string, inputs: string[], out: string, attrs: Buffer[] = []): string => { nodes.push(node(type, inputs, [out], attrs)); return out; };
  const linear = (x: string, name: string, inDim: number, outDim: number): string =>
    op('Add', [op('MatMul', [x, w(`${name}.weight`, [inDim, outDim], noise(inDim * outDim, Math.sqrt(3 / inDim)))], `${name}.mm`), w(`${name}.bias`, [outDim], noise(outDim, 0.02))], `${name}.out`);
  const layerNorm = (x: string, name: string): string =>
    op('LayerNormalization', [x, w(`${name}.gamma`, [H], ones(H)), w(`${name}.beta`, [H], new Float32Array(H))], `${name}.out`, [intAttr('axis', -1), floatAttr('epsilon', 1e-12)]);

  // embeddings: word + position + token type, then LayerNorm
  ints('axes_0', [0]); ints('axes_12', [1, 2]); ints('idx_1', [1]);
  const word = op('Gather', [w('emb.word', [vocab.length, H], noise(vocab.length * H, 0.5)), 'input_ids'], 'emb.word.out', [intAttr('axis', 0)]);
  const tokenType = op('Gather', [w('emb.type', [2, H], noise(2 * H, 0.02)), 'token_type_ids'], 'emb.type.out', [intAttr('axis', 0)]);
  const shape = op('Shape', ['input_ids'], 'ids.shape');
  const seqLen = op('Squeeze', [op('Gather', [shape, 'idx_1'], 'ids.len1', [intAttr('axis', 0)]), 'axes_0'], 'ids.len');
  const zero = ints('range.start', [0]), one = ints('range.step', [1]);
  const start = op('Squeeze', [zero, 'axes_0'], 'range.start0');
  const step = op('Squeeze', [one, 'axes_0'], 'range.step0');
  const positions = op('Range', [start, seqLen, step], 'positions');
  const pos = op('Gather', [w('emb.position', [s.positions, H], noise(s.positions * H, 0.02)), positions], 'emb.position.out', [intAttr('axis', 0)]);
  let x = layerNorm(op('Add', [op('Add', [word, tokenType], 'emb.sum1'), pos], 'emb.sum'), 'emb.ln');

  // additive attention mask: (1 - mask) * -10000, shaped [batch, 1, 1, tokens]
  const maskF = op('Cast', ['attention_mask'], 'mask.f', [intAttr('to', FLOAT)]);
  const bias = op('Mul', [op('Sub', [scalar('one', 1), op('Unsqueeze', [maskF, 'axes_12'], 'mask.4d')], 'mask.inv'), scalar('neg', -10000)], 'mask.bias');
  ints('heads.shape', [0, 0, s.heads, dh]);
  ints('merge.shape', [0, 0, H]);
  const scale = scalar('attn.scale', 1 / Math.sqrt(dh));
  const sqrtHalf = scalar('gelu.rsqrt2', Math.SQRT1_2), half = scalar('gelu.half', 0.5), unit = scalar('gelu.one', 1);

  for (let l = 0; l < s.layers; l++) {
    const p = `l${l}`;
    const heads = (t: string, perm: number[], name: string): string => op('Transpose', [op('Reshape', [t, 'heads.shape'], `${name}.r`)], `${name}.t`, [intsAttr('perm', perm)]);
    const q = heads(linear(x, `${p}.q`, H, H), [0, 2, 1, 3], `${p}.qh`);
    const k = heads(linear(x, `${p}.k`, H, H), [0, 2, 3, 1], `${p}.kh`);
    const v = heads(linear(x, `${p}.v`, H, H), [0, 2, 1, 3], `${p}.vh`);
    const scores = op('Add', [op('Mul', [op('MatMul', [q, k], `${p}.qk`), scale], `${p}.scaled`), bias], `${p}.scores`);
    const probs = op('Softmax', [scores], `${p}.probs`, [intAttr('axis', -1)]);
    const ctx = op('Reshape', [op('Transpose', [op('MatMul', [probs, v], `${p}.ctx`)], `${p}.ctx.t`, [intsAttr('perm', [0, 2, 1, 3])]), 'merge.shape'], `${p}.ctx.m`);
    x = layerNorm(op('Add', [linear(ctx, `${p}.o`, H, H), x], `${p}.res1`), `${p}.ln1`);
    const up = linear(x, `${p}.up`, H, I);
    const gelu = op('Mul', [op('Mul', [up, half], `${p}.g.half`), op('Add', [unit, op('Erf', [op('Mul', [up, sqrtHalf], `${p}.g.s`)], `${p}.g.erf`)], `${p}.g.1p`)], `${p}.gelu`);
    x = layerNorm(op('Add', [linear(gelu, `${p}.down`, I, H), x], `${p}.res2`), `${p}.ln2`);
  }
  nodes.push(node('Identity', [x], ['last_hidden_state']));

  const bytes = model({
    name: 'minilm_shaped_random',
    nodes,
    initializers: inits,
    inputs: ['input_ids', 'attention_mask', 'token_type_ids'].map((n) => valueInfo(n, INT64, ['batch', 'tokens'])),
    outputs: [valueInfo('last_hidden_state', FLOAT, ['batch', 'tokens', H])],
  }, 17);
  writeBertFolder(dir, vocab, { hidden_size: H, num_hidden_layers: s.layers, num_attention_heads: s.heads, intermediate_size: I }, bytes);
  return dir;
}
