/**
 * A random-weight BERT encoder with all-MiniLM-L6-v2's shapes (6 layers, hidden 384, 12 heads,
 * intermediate 1536, 512 positions) as a transformers.js model folder, for measuring embedding speed
 * offline. The weights are seeded noise, so its vectors mean nothing; its cost per sentence is that of
 * the real model (the vocabulary is smaller, which changes only the size of one lookup table).
 */
import { Random } from '../../src/core/random';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FLOAT, floatAttr, floatTensor, int64Tensor, INT64, INT8, intAttr, intsAttr, model, node, tensor, valueInfo } from './onnxProto';
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
  const fp32 = encoderGraph(s, vocab.length, opts.seed ?? 1, false);
  writeBertFolder(dir, vocab, { hidden_size: s.hidden, num_hidden_layers: s.layers, num_attention_heads: s.heads, intermediate_size: s.intermediate }, fp32);
  fs.writeFileSync(path.join(dir, 'onnx', 'model_quantized.onnx'), encoderGraph(s, vocab.length, opts.seed ?? 1, true));
  return dir;
}

/**
 * The encoder as ONNX bytes. Quantized: every linear layer is dynamically quantized the way ONNX
 * Runtime's quantize_dynamic writes it (DynamicQuantizeLinear → MatMulInteger with int8 weights →
 * Cast → scale), which ONNX Runtime fuses into its fast integer kernels.
 */
function encoderGraph(s: EncoderShape, vocabSize: number, seed: number, quantized: boolean): Buffer {
  const noise = (name: string, n: number, scale: number): Float32Array => {
    const rng = new Random(`encoder:${seed}:${name}`);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * scale;
    return a;
  };
  const ones = (n: number): Float32Array => new Float32Array(n).fill(1);
  const H = s.hidden,
    I = s.intermediate,
    dh = H / s.heads;
  const nodes: Buffer[] = [];
  const inits: Buffer[] = [];
  const w = (name: string, dims: number[], values: Float32Array): string => {
    inits.push(floatTensor(name, dims, values));
    return name;
  };
  const scalar = (name: string, v: number): string => w(name, [], Float32Array.of(v));
  const ints = (name: string, v: number[]): string => {
    inits.push(int64Tensor(name, v));
    return name;
  };
  const op = (type: string, inputs: string[], out: string, attrs: Buffer[] = []): string => {
    nodes.push(node(type, inputs, [out], attrs));
    return out;
  };
  const matmul = (x: string, name: string, inDim: number, outDim: number): string => {
    const weight = noise(`${name}.weight`, inDim * outDim, Math.sqrt(3 / inDim));
    if (!quantized) return op('MatMul', [x, w(`${name}.weight`, [inDim, outDim], weight)], `${name}.mm`);
    let maxAbs = 0;
    for (const v of weight) maxAbs = Math.max(maxAbs, Math.abs(v));
    const wScale = maxAbs / 127;
    const q = Buffer.alloc(weight.length);
    for (let i = 0; i < weight.length; i++) q.writeInt8(Math.max(-127, Math.min(127, Math.round(weight[i] / wScale))), i);
    inits.push(tensor(`${name}.weight_q`, INT8, [inDim, outDim], q));
    inits.push(tensor(`${name}.weight_zp`, INT8, [], Buffer.alloc(1)));
    nodes.push(node('DynamicQuantizeLinear', [x], [`${name}.xq`, `${name}.xs`, `${name}.xz`]));
    const acc = op('MatMulInteger', [`${name}.xq`, `${name}.weight_q`, `${name}.xz`, `${name}.weight_zp`], `${name}.acc`);
    const scale = op('Mul', [`${name}.xs`, scalar(`${name}.weight_scale`, wScale)], `${name}.scale`);
    return op('Mul', [op('Cast', [acc], `${name}.accf`, [intAttr('to', FLOAT)]), scale], `${name}.mm`);
  };
  const linear = (x: string, name: string, inDim: number, outDim: number): string =>
    op('Add', [matmul(x, name, inDim, outDim), w(`${name}.bias`, [outDim], noise(`${name}.bias`, outDim, 0.02))], `${name}.out`);
  const layerNorm = (x: string, name: string): string =>
    op('LayerNormalization', [x, w(`${name}.gamma`, [H], ones(H)), w(`${name}.beta`, [H], new Float32Array(H))], `${name}.out`, [
      intAttr('axis', -1),
      floatAttr('epsilon', 1e-12),
    ]);

  // embeddings: word + position + token type, then LayerNorm
  ints('axes_0', [0]);
  ints('axes_12', [1, 2]);
  ints('idx_1', [1]);
  const word = op('Gather', [w('emb.word', [vocabSize, H], noise('emb.word', vocabSize * H, 0.5)), 'input_ids'], 'emb.word.out', [intAttr('axis', 0)]);
  const tokenType = op('Gather', [w('emb.type', [2, H], noise('emb.type', 2 * H, 0.02)), 'token_type_ids'], 'emb.type.out', [intAttr('axis', 0)]);
  const shape = op('Shape', ['input_ids'], 'ids.shape');
  const seqLen = op('Squeeze', [op('Gather', [shape, 'idx_1'], 'ids.len1', [intAttr('axis', 0)]), 'axes_0'], 'ids.len');
  const start = op('Squeeze', [ints('range.start', [0]), 'axes_0'], 'range.start0');
  const step = op('Squeeze', [ints('range.step', [1]), 'axes_0'], 'range.step0');
  const positions = op('Range', [start, seqLen, step], 'positions');
  const pos = op('Gather', [w('emb.position', [s.positions, H], noise('emb.position', s.positions * H, 0.02)), positions], 'emb.position.out', [
    intAttr('axis', 0),
  ]);
  let x = layerNorm(op('Add', [op('Add', [word, tokenType], 'emb.sum1'), pos], 'emb.sum'), 'emb.ln');

  // additive attention mask: (1 - mask) * -10000, shaped [batch, 1, 1, tokens]
  const maskF = op('Cast', ['attention_mask'], 'mask.f', [intAttr('to', FLOAT)]);
  const bias = op('Mul', [op('Sub', [scalar('one', 1), op('Unsqueeze', [maskF, 'axes_12'], 'mask.4d')], 'mask.inv'), scalar('neg', -10000)], 'mask.bias');
  ints('heads.shape', [0, 0, s.heads, dh]);
  ints('merge.shape', [0, 0, H]);
  const scale = scalar('attn.scale', 1 / Math.sqrt(dh));
  const sqrtHalf = scalar('gelu.rsqrt2', Math.SQRT1_2),
    half = scalar('gelu.half', 0.5),
    unit = scalar('gelu.one', 1);

  for (let l = 0; l < s.layers; l++) {
    const p = `l${l}`;
    const heads = (t: string, perm: number[], name: string): string =>
      op('Transpose', [op('Reshape', [t, 'heads.shape'], `${name}.r`)], `${name}.t`, [intsAttr('perm', perm)]);
    const q = heads(linear(x, `${p}.q`, H, H), [0, 2, 1, 3], `${p}.qh`);
    const k = heads(linear(x, `${p}.k`, H, H), [0, 2, 3, 1], `${p}.kh`);
    const v = heads(linear(x, `${p}.v`, H, H), [0, 2, 1, 3], `${p}.vh`);
    const scores = op('Add', [op('Mul', [op('MatMul', [q, k], `${p}.qk`), scale], `${p}.scaled`), bias], `${p}.scores`);
    const probs = op('Softmax', [scores], `${p}.probs`, [intAttr('axis', -1)]);
    const ctx = op(
      'Reshape',
      [op('Transpose', [op('MatMul', [probs, v], `${p}.ctx`)], `${p}.ctx.t`, [intsAttr('perm', [0, 2, 1, 3])]), 'merge.shape'],
      `${p}.ctx.m`,
    );
    x = layerNorm(op('Add', [linear(ctx, `${p}.o`, H, H), x], `${p}.res1`), `${p}.ln1`);
    const up = linear(x, `${p}.up`, H, I);
    const gelu = op(
      'Mul',
      [op('Mul', [up, half], `${p}.g.half`), op('Add', [unit, op('Erf', [op('Mul', [up, sqrtHalf], `${p}.g.s`)], `${p}.g.erf`)], `${p}.g.1p`)],
      `${p}.gelu`,
    );
    x = layerNorm(op('Add', [linear(gelu, `${p}.down`, I, H), x], `${p}.res2`), `${p}.ln2`);
  }
  nodes.push(node('Identity', [x], ['last_hidden_state']));

  return model(
    {
      name: quantized ? 'minilm_shaped_random_q8' : 'minilm_shaped_random',
      nodes,
      initializers: inits,
      inputs: ['input_ids', 'attention_mask', 'token_type_ids'].map((n) => valueInfo(n, INT64, ['batch', 'tokens'])),
      outputs: [valueInfo('last_hidden_state', FLOAT, ['batch', 'tokens', H])],
    },
    17,
  );
}
