/**
 * Just enough Protocol Buffers to write ONNX models by hand (field numbers from onnx.proto): tensors,
 * nodes, attributes, value infos, graphs and models. Used by the test-model generators.
 */

export const FLOAT = 1;
export const INT8 = 3;
export const INT64 = 7;
const ATTR_FLOAT = 1,
  ATTR_INT = 2,
  ATTR_INTS = 7;

export function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  for (;;) {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    if (v === 0n) {
      bytes.push(low);
      break;
    }
    bytes.push(low | 0x80);
  }
  return Buffer.from(bytes);
}
const tag = (field: number, wire: number): Buffer => varint((field << 3) | wire);
export const intField = (field: number, value: number | bigint): Buffer => Buffer.concat([tag(field, 0), varint(value)]);
export const lenField = (field: number, payload: Buffer): Buffer => Buffer.concat([tag(field, 2), varint(payload.length), payload]);
export const strField = (field: number, s: string): Buffer => lenField(field, Buffer.from(s, 'utf8'));
const floatField = (field: number, f: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(f);
  return Buffer.concat([tag(field, 5), b]);
};
export const message = (...fields: Buffer[]): Buffer => Buffer.concat(fields);

export function tensor(name: string, elemType: number, dims: number[], raw: Buffer): Buffer {
  return message(...dims.map((d) => intField(1, d)), intField(2, elemType), strField(8, name), lenField(9, raw));
}
export function floatTensor(name: string, dims: number[], values: Float32Array): Buffer {
  return tensor(name, FLOAT, dims, Buffer.from(values.buffer, values.byteOffset, values.byteLength));
}
export function int64Tensor(name: string, values: number[]): Buffer {
  return tensor(name, INT64, [values.length], Buffer.from(BigInt64Array.from(values.map(BigInt)).buffer));
}

export const intAttr = (name: string, v: number): Buffer => message(strField(1, name), intField(3, v), intField(20, ATTR_INT));
export const floatAttr = (name: string, v: number): Buffer => message(strField(1, name), floatField(2, v), intField(20, ATTR_FLOAT));
export const intsAttr = (name: string, v: number[]): Buffer => message(strField(1, name), ...v.map((x) => intField(8, x)), intField(20, ATTR_INTS));

let nodeCount = 0;
export function node(op: string, inputs: string[], outputs: string[], attrs: Buffer[] = []): Buffer {
  return message(
    ...inputs.map((i) => strField(1, i)),
    ...outputs.map((o) => strField(2, o)),
    strField(3, `${op}_${nodeCount++}`),
    strField(4, op),
    ...attrs.map((a) => lenField(5, a)),
  );
}

export function valueInfo(name: string, elemType: number, dims: (number | string)[]): Buffer {
  const shape = message(...dims.map((d) => lenField(1, typeof d === 'number' ? intField(1, d) : strField(2, d))));
  const tensorType = message(intField(1, elemType), lenField(2, shape));
  return message(strField(1, name), lenField(2, lenField(1, tensorType)));
}

export interface GraphParts {
  name: string;
  nodes: Buffer[];
  initializers: Buffer[];
  inputs: Buffer[];
  outputs: Buffer[];
}

export function model(g: GraphParts, opset: number): Buffer {
  const graph = message(
    ...g.nodes.map((n) => lenField(1, n)),
    strField(2, g.name),
    ...g.initializers.map((t) => lenField(5, t)),
    ...g.inputs.map((v) => lenField(11, v)),
    ...g.outputs.map((v) => lenField(12, v)),
  );
  return message(
    intField(1, 8), // IR version 8
    strField(2, 'co-instruct-curator tests'),
    strField(3, '1'),
    lenField(7, graph),
    lenField(8, message(strField(1, ''), intField(2, opset))),
  );
}
