// Writes ONNX models from TypeScript, so the repo builds its own models (vision, policies) from data it
// generates, with no Python step. IR version 8 and opset 13: the pair onnxruntime-node 1.30 is known to load.
//
// The builder is deliberately thin: nodes are ONNX nodes with ONNX attribute names, so the ONNX operator docs
// are the reference. It checks wiring (every input defined before use, every output produced, no name
// defined twice) when serializing, so a mistake names the node instead of surfacing as an onnxruntime error.
import { writeFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** A tensor dimension: a fixed size, or a symbolic name for a dynamic one (e.g. 'batch'). */
export type Dim = number | string;
export type ElementType = 'float32' | 'int64';
/** Attribute values: numbers are INT when integral and `int` is not overridden, see AttrSpec. */
export type AttrValue = number | string | number[] | { float: number } | { floats: number[] } | { ints: number[] };

export interface OnnxModelBuilderOptions {
  /** ModelProto.producer_name. Default 'armstack'. */
  producerName?: string;
  producerVersion?: string;
  graphName?: string;
  docString?: string;
  /** Default opset 13. */
  opsetVersion?: number;
}

interface ValueInfo {
  name: string;
  type: ElementType;
  dims: Dim[];
}

interface NodeSpec {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

interface Initializer {
  name: string;
  dims: number[];
  float?: Float32Array;
  int64?: number[];
}

const DATA_TYPE: Record<ElementType, number> = { float32: onnx.TensorProto.DataType.FLOAT, int64: onnx.TensorProto.DataType.INT64 };
/** Attributes that ONNX types as FLOAT even when the value happens to be integral (alpha = 1, beta = 0). */
const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'gamma', 'momentum', 'ratio', 'bias', 'lambd', 'value_float']);
const INTS_ATTRS = new Set(['axes', 'kernel_shape', 'pads', 'strides', 'dilations', 'perm', 'output_padding', 'output_shape', 'shape']);

export class OnnxModelBuilder {
  readonly opsetVersion: number;
  readonly #options: OnnxModelBuilderOptions;
  readonly #inputs: ValueInfo[] = [];
  readonly #outputs: ValueInfo[] = [];
  readonly #initializers: Initializer[] = [];
  readonly #nodes: NodeSpec[] = [];
  readonly #metadata = new Map<string, string>();
  readonly #names = new Set<string>();
  #counter = 0;

  constructor(options: OnnxModelBuilderOptions = {}) {
    this.#options = options;
    this.opsetVersion = options.opsetVersion ?? 13;
  }

  /** Declares a graph input; returns its name for wiring. */
  input(name: string, dims: Dim[], type: ElementType = 'float32'): string {
    this.#define(name, 'input');
    this.#inputs.push({ name, type, dims: [...dims] });
    return name;
  }

  /** Declares a graph output: `name` must be produced by some node (checked when serializing). */
  output(name: string, dims: Dim[], type: ElementType = 'float32'): string {
    if (this.#outputs.some((o) => o.name === name)) throw new Error(`OnnxModelBuilder#output: output "${name}" declared twice`);
    this.#outputs.push({ name, type, dims: [...dims] });
    return name;
  }

  /** A float32 constant (weights, biases). Data is copied. */
  initializer(name: string, data: ArrayLike<number>, dims: number[]): string {
    checkSize('initializer', name, data.length, dims);
    this.#define(name, 'initializer');
    this.#initializers.push({ name, dims: [...dims], float: Float32Array.from(data) });
    return name;
  }

  /** An int64 constant (shapes for Reshape, indices). */
  initializerInt64(name: string, data: ArrayLike<number>, dims: number[]): string {
    checkSize('initializerInt64', name, data.length, dims);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isSafeInteger(data[i])) throw new Error(`OnnxModelBuilder#initializerInt64: "${name}"[${i}] = ${data[i]} is not a safe integer`);
    }
    this.#define(name, 'initializer');
    this.#initializers.push({ name, dims: [...dims], int64: Array.from(data) });
    return name;
  }

  /** metadata_props entry (model card facts: classes, input size, training seed, accuracy). */
  metadata(key: string, value: string | number | boolean): this {
    this.#metadata.set(key, String(value));
    return this;
  }

  /**
   * Adds a node. `outputs` may be names or a count (fresh names are made). Returns the output names.
   * An empty string as an input means "optional input left out", as in ONNX.
   */
  node(opType: string, inputs: string[], outputs: string[] | number = 1, attrs: Record<string, AttrValue> = {}, name?: string): string[] {
    const nodeName = name ?? `${opType}_${this.#nodes.length}`;
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : outputs;
    for (const o of outs) this.#define(o, `output of node "${nodeName}"`);
    this.#nodes.push({ name: nodeName, opType, inputs: [...inputs], outputs: outs, attrs: { ...attrs } });
    return outs;
  }

  /** A node with one output; returns that output's name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.node(opType, inputs, output === undefined ? 1 : [output], attrs)[0];
  }

  /** A name not used yet, for intermediate values. */
  fresh(prefix = 't'): string {
    let n: string;
    do n = `${prefix}_${this.#counter++}`; while (this.#names.has(n));
    return n;
  }

  /** The ModelProto as bytes. Throws naming the node and value when the graph is wired wrong. */
  toBytes(): Uint8Array {
    this.#validate();
    const o = this.#options;
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: o.producerName ?? 'armstack',
      producerVersion: o.producerVersion ?? '',
      docString: o.docString ?? '',
      opsetImport: [{ domain: '', version: this.opsetVersion }],
      metadataProps: [...this.#metadata].map(([key, value]) => ({ key, value })),
      graph: {
        name: o.graphName ?? 'main',
        input: this.#inputs.map(valueInfo),
        output: this.#outputs.map(valueInfo),
        initializer: this.#initializers.map(tensorProto),
        node: this.#nodes.map((n) => ({
          name: n.name, opType: n.opType, input: n.inputs, output: n.outputs, domain: '',
          attribute: Object.entries(n.attrs).map(([k, v]) => attribute(n, k, v)),
        })),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  /** Serializes and writes the model file. */
  writeOnnx(path: string): void {
    writeFileSync(path, this.toBytes());
  }

  #define(name: string, what: string): void {
    if (!name) throw new Error(`OnnxModelBuilder: empty name for ${what}`);
    if (this.#names.has(name)) throw new Error(`OnnxModelBuilder: "${name}" (${what}) is already defined`);
    this.#names.add(name);
  }

  #validate(): void {
    const known = new Set<string>([...this.#inputs.map((i) => i.name), ...this.#initializers.map((i) => i.name)]);
    for (const n of this.#nodes) {
      for (const i of n.inputs) {
        if (i !== '' && !known.has(i)) {
          throw new Error(`OnnxModelBuilder#toBytes: node "${n.name}" (${n.opType}) reads "${i}", which no input, initializer or earlier node defines`);
        }
      }
      for (const o of n.outputs) known.add(o);
    }
    for (const o of this.#outputs) {
      if (!known.has(o.name)) throw new Error(`OnnxModelBuilder#toBytes: graph output "${o.name}" is produced by no node`);
    }
    if (this.#outputs.length === 0) throw new Error('OnnxModelBuilder#toBytes: the graph has no outputs');
  }
}

function checkSize(method: string, name: string, length: number, dims: number[]): void {
  const n = dims.reduce((a, b) => a * b, 1);
  if (n !== length) throw new Error(`OnnxModelBuilder#${method}: "${name}" has ${length} values but dims [${dims}] hold ${n}`);
}

function valueInfo(v: ValueInfo): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[v.type],
        shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function tensorProto(t: Initializer): onnxProto.onnx.ITensorProto {
  if (t.float) {
    // raw_data is little-endian bytes; copy so the proto does not alias a caller's buffer.
    const raw = new Uint8Array(t.float.buffer.slice(t.float.byteOffset, t.float.byteOffset + t.float.byteLength));
    return { name: t.name, dims: t.dims, dataType: DATA_TYPE.float32, rawData: raw };
  }
  return { name: t.name, dims: t.dims, dataType: DATA_TYPE.int64, int64Data: t.int64 ?? [] };
}

function attribute(n: NodeSpec, name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    if (FLOAT_ATTRS.has(name) || !Number.isInteger(v)) return { name, type: T.FLOAT, f: v };
    return { name, type: T.INT, i: v };
  }
  if (Array.isArray(v)) {
    if (INTS_ATTRS.has(name) || v.every((x) => Number.isInteger(x))) {
      if (!v.every((x) => Number.isInteger(x))) {
        throw new Error(`OnnxModelBuilder#toBytes: node "${n.name}" attribute ${name} must be integers, got [${v}]`);
      }
      return { name, type: T.INTS, ints: v };
    }
    return { name, type: T.FLOATS, floats: v };
  }
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  return { name, type: T.INTS, ints: v.ints };
}
