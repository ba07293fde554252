// An onnxruntime-node session with the execution provider chosen from an ordered preference, checked inputs
// and outputs, and preallocated output tensors.
//
// Providers: each preferred provider that this onnxruntime build does not list (listSupportedBackends) or that
// fails to start (no GPU library, no Vulkan adapter) is skipped with its reason logged, and the next is tried.
// CPU always works in every build, so it belongs last in any preference list.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { UserError } from '../../runtime/errors.js';
import { readOnnxModelInfo } from '../../runtime/onnx/index.js';
import type { OnnxModelInfo } from '../../runtime/onnx/index.js';

export type ExecutionProviderName = 'tensorrt' | 'cuda' | 'webgpu' | 'cpu';

/** What the caller expects of one model input or output. A dim of null accepts any size. */
export interface TensorExpectation {
  name: string;
  type?: Tensor.Type;
  dims?: readonly (number | null)[];
}

export interface OnnxSessionLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface OnnxSessionConfig {
  /** Ordered preference. Default ['cpu']. */
  providers?: readonly string[];
  inputs?: readonly TensorExpectation[];
  outputs?: readonly TensorExpectation[];
  logger?: OnnxSessionLogger;
  /** Passed through to onnxruntime (threads, graph optimization); executionProviders is set here. */
  sessionOptions?: Omit<InferenceSession.SessionOptions, 'executionProviders'>;
}

export interface TensorInfo {
  name: string;
  type: Tensor.Type;
  /** Numbers for fixed sizes, strings for symbolic (dynamic) ones. */
  dims: readonly (number | string)[];
}

export interface ProviderAttempt {
  provider: string;
  ok: boolean;
  reason?: string;
}

const SILENT_LOGGER: OnnxSessionLogger = { info: () => {}, warn: () => {} };

export class OnnxSession {
  readonly modelPath: string;
  /** The execution provider the session runs on. */
  readonly provider: string;
  /** Every provider tried, in order, with why it was skipped. */
  readonly attempts: readonly ProviderAttempt[];
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** The file's producer, versions and metadata_props (model card: classes, input size, accuracy). */
  readonly info: OnnxModelInfo;
  readonly #session: InferenceSession;

  private constructor(modelPath: string, bytes: Uint8Array, session: InferenceSession, provider: string, attempts: ProviderAttempt[]) {
    this.modelPath = modelPath;
    this.info = readOnnxModelInfo(bytes);
    this.#session = session;
    this.provider = provider;
    this.attempts = attempts;
    this.inputs = session.inputMetadata.map((m) => tensorInfo(modelPath, m));
    this.outputs = session.outputMetadata.map((m) => tensorInfo(modelPath, m));
  }

  /** Loads the model on the first provider that works, then checks its inputs and outputs. */
  static async create(modelPath: string, config: OnnxSessionConfig = {}): Promise<OnnxSession> {
    const log = config.logger ?? SILENT_LOGGER;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(modelPath);
    } catch (err) {
      throw new UserError(`OnnxSession.create: cannot read model file ${modelPath} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    const preference = config.providers?.length ? config.providers : ['cpu'];
    const supported = ort.listSupportedBackends().map((b) => b.name);
    const attempts: ProviderAttempt[] = [];
    let lastError = '';
    for (const provider of preference) {
      if (!supported.includes(provider)) {
        const reason = `not in this onnxruntime-node build (it has: ${supported.join(', ')})`;
        attempts.push({ provider, ok: false, reason });
        log.warn(`OnnxSession: ${modelPath}: skipping execution provider "${provider}": ${reason}`);
        continue;
      }
      try {
        const session = await ort.InferenceSession.create(bytes, { ...config.sessionOptions, executionProviders: [provider] });
        attempts.push({ provider, ok: true });
        log.info(`OnnxSession: ${modelPath}: running on execution provider "${provider}"`);
        const s = new OnnxSession(modelPath, bytes, session, provider, attempts);
        try {
          s.#check(config);
        } catch (err) {
          await session.release();
          throw err;
        }
        return s;
      } catch (err) {
        if (err instanceof UserError) throw err;
        lastError = firstLine(err);
        attempts.push({ provider, ok: false, reason: lastError });
        log.warn(`OnnxSession: ${modelPath}: execution provider "${provider}" failed, trying the next: ${lastError}`);
        // A file that even the CPU provider cannot load is not a provider problem: the model is bad.
        if (provider === 'cpu') break;
      }
    }
    if (attempts.some((a) => a.provider === 'cpu' && !a.ok)) {
      throw new UserError(`OnnxSession.create: ${modelPath} is not a loadable ONNX model: ${lastError}`);
    }
    throw new UserError(
      `OnnxSession.create: no execution provider could load ${modelPath}: ` +
      attempts.map((a) => `${a.provider} (${a.reason})`).join('; ') + '. Add "cpu" to the provider list as the last resort.',
    );
  }

  output(name: string): TensorInfo {
    const o = this.outputs.find((x) => x.name === name);
    if (!o) throw new Error(`OnnxSession#output: ${this.modelPath} has no output "${name}" (it has: ${this.outputs.map((x) => x.name).join(', ')})`);
    return o;
  }

  /**
   * One float32 tensor per output, sized from the model's fixed dims (symbolic dims take `dynamicDims[name]`),
   * for run(): onnxruntime then writes into these buffers instead of allocating per call.
   */
  allocateOutputs(dynamicDims: Record<string, readonly number[]> = {}): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const o of this.outputs) {
      const dims = dynamicDims[o.name] ?? o.dims;
      if (dims.some((d) => typeof d !== 'number')) {
        throw new Error(`OnnxSession#allocateOutputs: output "${o.name}" of ${this.modelPath} has dims [${o.dims}]; give its size in dynamicDims`);
      }
      if (o.type !== 'float32') throw new Error(`OnnxSession#allocateOutputs: output "${o.name}" is ${o.type}; only float32 is preallocated`);
      const n = (dims as number[]).reduce((a, b) => a * b, 1);
      out[o.name] = new ort.Tensor('float32', new Float32Array(n), dims as number[]);
    }
    return out;
  }

  /**
   * Runs the model. With fetches (preallocated tensors), onnxruntime fills them in place; a fetch whose shape
   * does not match the model is refused before running, naming the output. Native work is synchronous: call
   * this off the event loop (a worker) in the hot path.
   */
  async run(feeds: Record<string, Tensor>, fetches?: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    if (fetches) {
      for (const [name, t] of Object.entries(fetches)) {
        const o = this.output(name);
        const ok = t.dims.length === o.dims.length && o.dims.every((d, i) => typeof d !== 'number' || d === t.dims[i]);
        if (!ok || t.type !== o.type) {
          throw new Error(`OnnxSession#run: preallocated output "${name}" is ${t.type} [${t.dims}], ${this.modelPath} produces ${o.type} [${o.dims}]`);
        }
      }
    }
    try {
      return (await (fetches ? this.#session.run(feeds, fetches) : this.#session.run(feeds))) as Record<string, Tensor>;
    } catch (err) {
      throw new Error(`OnnxSession#run: ${this.modelPath}: ${firstLine(err)}`);
    }
  }

  async release(): Promise<void> {
    await this.#session.release();
  }

  #check(config: OnnxSessionConfig): void {
    checkSide(this.modelPath, 'input', this.inputs, config.inputs);
    checkSide(this.modelPath, 'output', this.outputs, config.outputs);
    if (config.inputs) {
      const expected = new Set(config.inputs.map((e) => e.name));
      const extra = this.inputs.filter((i) => !expected.has(i.name));
      if (extra.length) {
        throw new UserError(`OnnxSession.create: ${this.modelPath} needs input(s) ${extra.map((i) => `"${i.name}"`).join(', ')} that the caller does not provide`);
      }
    }
  }
}

function checkSide(path: string, side: 'input' | 'output', actual: readonly TensorInfo[], expected?: readonly TensorExpectation[]): void {
  for (const e of expected ?? []) {
    const a = actual.find((x) => x.name === e.name);
    if (!a) {
      throw new UserError(`OnnxSession.create: ${path} has no ${side} "${e.name}" (its ${side}s: ${actual.map((x) => `"${x.name}"`).join(', ')})`);
    }
    if (e.type && a.type !== e.type) throw new UserError(`OnnxSession.create: ${path} ${side} "${e.name}" is ${a.type}, expected ${e.type}`);
    if (e.dims) {
      const dimsOk = e.dims.length === a.dims.length && e.dims.every((d, i) => d === null || typeof a.dims[i] !== 'number' || a.dims[i] === d);
      if (!dimsOk) {
        throw new UserError(`OnnxSession.create: ${path} ${side} "${e.name}" has dims [${a.dims}], expected [${e.dims.map((d) => d ?? '?')}]`);
      }
    }
  }
}

function tensorInfo(path: string, m: InferenceSession.ValueMetadata): TensorInfo {
  if (!m.isTensor) throw new UserError(`OnnxSession.create: ${path}: "${m.name}" is not a tensor; only tensor inputs and outputs are supported`);
  return { name: m.name, type: m.type, dims: [...m.shape] };
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0].trim();
}
