// A PolicyWeights file run by the reference JS forward pass, behind the same ChunkPolicy interface as the ONNX
// runner: lets training scripts evaluate a policy before (or without) exporting it.
import type { PolicyContract } from '../contract.js';
import type { ChunkPolicy } from '../onnx-policy.js';
import { forwardNormalized, type PolicyWeights } from './policy-weights.js';

export class WeightsPolicy implements ChunkPolicy {
  readonly contract: PolicyContract;
  readonly state: Float32Array;
  readonly env: Float32Array;
  readonly images = new Map<string, Float32Array>();
  readonly chunk: Float64Array;
  readonly #w: PolicyWeights;
  readonly #sn: Float64Array;
  readonly #en: Float64Array;
  #busy = false;

  constructor(w: PolicyWeights, source = 'weights.json') {
    this.#w = w;
    const n = w.actionNames.length;
    this.contract = {
      source, version: 1, fps: w.fps, chunkSize: w.chunk, nActionSteps: w.nActionSteps, actionNames: w.actionNames,
      stateNames: w.actionNames, envFeatureNames: w.envFeatureNames, cameras: [], normalization: w.normalization, extra: {},
    };
    this.state = new Float32Array(n);
    this.env = new Float32Array(w.envFeatureNames.length);
    this.#sn = new Float64Array(n);
    this.#en = new Float64Array(this.env.length);
    this.chunk = new Float64Array(w.chunk * n);
  }

  get busy(): boolean {
    return this.#busy;
  }

  run(): Promise<Float64Array> {
    this.#busy = true;
    const { state, env, action } = this.#w.normalization;
    for (let i = 0; i < this.state.length; i++) this.#sn[i] = (Math.fround(this.state[i]) - state.mean[i]) / state.std[i];
    for (let i = 0; i < this.env.length; i++) this.#en[i] = (Math.fround(this.env[i]) - env!.mean[i]) / env!.std[i];
    forwardNormalized(this.#w, this.#sn, this.#en, this.chunk);
    const n = action.mean.length;
    for (let i = 0; i < this.chunk.length; i++) this.chunk[i] = this.chunk[i] * action.std[i % n] + action.mean[i % n];
    // Resolve on a later macrotask, as onnxruntime-node does.
    return new Promise((resolve) => setImmediate(() => {
      this.#busy = false;
      resolve(this.chunk);
    }));
  }
}
