// Runs an ONNX policy that meets the contract (contract.ts) with onnxruntime-node: the caller writes raw
// observations into the preallocated `state`, `env` (and image) buffers, run() normalizes them into the input
// tensors, runs the session into a preallocated output tensor and un-normalizes the action chunk into `chunk`.
// Nothing is allocated per run besides what onnxruntime itself does.
//
// session.run is native work on the calling thread; ort-node defers it with setImmediate, so run() returns at
// once and the chunk lands before the next macrotask. A deployment that cannot afford that pause on the main
// thread moves the runner into a worker; the contract and the buffers stay the same.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { OnnxSession, type OnnxSessionLogger } from '../perception/models/onnx-session.js';
import { ACTION_OUTPUT, ENV_INPUT, STATE_INPUT, type PolicyContract, type PolicyModel } from './contract.js';

export interface OnnxPolicyOptions {
  /** Execution providers in order of preference; the first that loads the model wins. Default ['cpu']. */
  executionProviders?: string[];
  /** Threads for one inference; a tiny MLP is fastest on one. Default 1. */
  intraOpNumThreads?: number;
  /** Where provider choices and fallbacks are reported. Default silent. */
  logger?: OnnxSessionLogger;
}

/** What a command source needs from a chunking policy (the ONNX runner, or a fake in tests). */
export interface ChunkPolicy {
  readonly contract: PolicyContract;
  /** Raw measured state, commandJointNames order: write before run(). */
  readonly state: Float32Array;
  /** Raw environment features, contract.envFeatureNames order (empty when the policy takes none). */
  readonly env: Float32Array;
  /** Preprocessed images by camera name ([3, H, W], passed to the model as they are). */
  readonly images: ReadonlyMap<string, Float32Array>;
  /** True while a run is in flight. */
  readonly busy: boolean;
  /** Runs one inference; resolves to `chunk`: chunkSize × nAction absolute targets (reused buffer). */
  run(): Promise<Float64Array>;
}

export class OnnxPolicy implements ChunkPolicy {
  readonly contract: PolicyContract;
  readonly state: Float32Array;
  readonly env: Float32Array;
  readonly images: ReadonlyMap<string, Float32Array>;
  readonly chunk: Float64Array;
  /** The execution provider the session runs on. */
  readonly executionProvider: string;
  /** Runs completed, and the last run's duration (ms), for the loop's accounts. */
  runs = 0;
  lastRunMs = 0;
  readonly #session: OnnxSession;
  readonly #stateIn: Float32Array;
  readonly #envIn: Float32Array;
  readonly #feeds: Record<string, ort.Tensor>;
  readonly #fetches: Record<string, ort.Tensor>;
  readonly #actionOut: Float32Array;
  #busy = false;

  private constructor(contract: PolicyContract, session: OnnxSession) {
    this.contract = contract;
    this.executionProvider = session.provider;
    this.#session = session;
    const nState = contract.stateNames.length, nEnv = contract.envFeatureNames.length, nAction = contract.actionNames.length;
    this.state = new Float32Array(nState);
    this.env = new Float32Array(nEnv);
    this.#stateIn = new Float32Array(nState);
    this.#envIn = new Float32Array(nEnv);
    this.#feeds = { [STATE_INPUT]: new ort.Tensor('float32', this.#stateIn, [1, nState]) };
    if (contract.normalization.env) this.#feeds[ENV_INPUT] = new ort.Tensor('float32', this.#envIn, [1, nEnv]);
    const images = new Map<string, Float32Array>();
    for (const cam of contract.cameras) {
      const buf = new Float32Array(cam.channels * cam.height * cam.width);
      images.set(cam.name, buf);
      this.#feeds[cam.input] = new ort.Tensor('float32', buf, [1, cam.channels, cam.height, cam.width]);
    }
    this.images = images;
    this.#actionOut = new Float32Array(contract.chunkSize * nAction);
    this.#fetches = { [ACTION_OUTPUT]: new ort.Tensor('float32', this.#actionOut, [1, contract.chunkSize, nAction]) };
    this.chunk = new Float64Array(contract.chunkSize * nAction);
  }

  /** A session for a checked model (loadPolicy). A model onnxruntime cannot load is a UserError naming the file. */
  static async create(model: PolicyModel, options: OnnxPolicyOptions = {}): Promise<OnnxPolicy> {
    // The shared session helper takes a file; a model held only in memory goes through a temporary one.
    let dir: string | undefined;
    let path = model.path;
    if (path === undefined) {
      dir = mkdtempSync(join(tmpdir(), 'armstack-policy-'));
      path = join(dir, model.contract.source.split('/').pop()?.replace(/[^\w.-]/g, '_') || 'policy.onnx');
      writeFileSync(path, model.bytes);
    }
    try {
      const c = model.contract;
      const session = await OnnxSession.create(path, {
        providers: options.executionProviders,
        inputs: [
          { name: STATE_INPUT, type: 'float32' },
          ...(c.normalization.env ? [{ name: ENV_INPUT, type: 'float32' as const }] : []),
          ...c.cameras.map((cam) => ({ name: cam.input, type: 'float32' as const })),
        ],
        outputs: [{ name: ACTION_OUTPUT, type: 'float32', dims: [null, c.chunkSize, c.actionNames.length] }],
        logger: options.logger,
        sessionOptions: { intraOpNumThreads: options.intraOpNumThreads ?? 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' },
      });
      return new OnnxPolicy(c, session);
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }

  get busy(): boolean {
    return this.#busy;
  }

  async run(): Promise<Float64Array> {
    if (this.#busy) throw new Error(`OnnxPolicy#run: ${this.contract.source}: a run is already in flight; wait for it (check busy)`);
    this.#busy = true;
    try {
      const norm = this.contract.normalization;
      normalizeInto(this.state, norm.state.mean, norm.state.std, this.#stateIn);
      if (norm.env) normalizeInto(this.env, norm.env.mean, norm.env.std, this.#envIn);
      const t0 = performance.now();
      await this.#session.run(this.#feeds, this.#fetches);
      this.lastRunMs = performance.now() - t0;
      this.runs++;
      const { mean, std } = norm.action, n = mean.length, out = this.#actionOut, chunk = this.chunk;
      for (let i = 0; i < chunk.length; i++) {
        const j = i % n;
        chunk[i] = out[i] * std[j] + mean[j];
      }
      return chunk;
    } finally {
      this.#busy = false;
    }
  }

  async dispose(): Promise<void> {
    await this.#session.release();
  }
}

function normalizeInto(raw: Float32Array, mean: readonly number[], std: readonly number[], out: Float32Array): void {
  for (let i = 0; i < raw.length; i++) out[i] = (raw[i] - mean[i]) / std[i];
}
