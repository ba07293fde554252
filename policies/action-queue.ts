// The action queue between an action-chunking policy and the control tick.
//
// Temporal ensembling as in ACT (Zhao et al. 2023): every chunk that covers the current tick votes, weighted
// w_i = exp(−m·i) with i = 0 for the OLDEST prediction (ACT's convention: m > 0 favours older predictions and
// smooths; m < 0 favours the newest and reacts faster; m = 0 is a plain mean). The weights are normalized.
// Refill as LeRobot's async inference: ask for a new chunk when fewer than `refillThreshold` actions remain
// ahead in the newest chunk, so inference runs while the queue still has actions to give.
//
// Chunks live in a preallocated ring: push() copies, pop() writes into the caller's buffer; nothing allocates
// per tick. A chunk computed from the observation at tick s holds the actions for ticks s .. s+chunk−1; when it
// arrives late its past actions are simply never used.

export interface ActionQueueConfig {
  /** Actions per chunk. */
  chunkSize: number;
  /** Values per action (command joints). */
  actionDim: number;
  /** m in w_i = exp(−m·i). Default 0.01 (ACT). */
  ensembleDecay?: number;
  /** Request a new chunk when fewer than this many actions remain ahead (current tick included). Default chunkSize: every tick. */
  refillThreshold?: number;
  /** Chunks kept at once. Default chunkSize (enough for a new chunk every tick). */
  capacity?: number;
}

export class ActionQueue {
  readonly chunkSize: number;
  readonly actionDim: number;
  readonly ensembleDecay: number;
  readonly refillThreshold: number;
  readonly capacity: number;
  readonly #actions: Float64Array; // capacity × chunkSize × actionDim
  readonly #start: Float64Array; // tick of each slot's first action
  readonly #weights: Float64Array; // exp(−m·i), i = 0..capacity−1
  #head = 0; // slot of the oldest chunk
  #count = 0;

  constructor(config: ActionQueueConfig) {
    const { chunkSize, actionDim } = config;
    if (!(Number.isInteger(chunkSize) && chunkSize > 0)) throw new RangeError(`ActionQueue: chunkSize must be a positive integer, got ${chunkSize}`);
    if (!(Number.isInteger(actionDim) && actionDim > 0)) throw new RangeError(`ActionQueue: actionDim must be a positive integer, got ${actionDim}`);
    this.chunkSize = chunkSize;
    this.actionDim = actionDim;
    this.ensembleDecay = config.ensembleDecay ?? 0.01;
    if (!Number.isFinite(this.ensembleDecay)) throw new RangeError(`ActionQueue: ensembleDecay must be finite, got ${this.ensembleDecay}`);
    this.refillThreshold = config.refillThreshold ?? chunkSize;
    if (!(Number.isInteger(this.refillThreshold) && this.refillThreshold >= 1 && this.refillThreshold <= chunkSize)) {
      throw new RangeError(`ActionQueue: refillThreshold must be an integer in [1, ${chunkSize}], got ${this.refillThreshold}`);
    }
    this.capacity = config.capacity ?? chunkSize;
    if (!(Number.isInteger(this.capacity) && this.capacity >= 1)) throw new RangeError(`ActionQueue: capacity must be a positive integer, got ${this.capacity}`);
    this.#actions = new Float64Array(this.capacity * chunkSize * actionDim);
    this.#start = new Float64Array(this.capacity);
    this.#weights = Float64Array.from({ length: this.capacity }, (_, i) => Math.exp(-this.ensembleDecay * i));
  }

  /** Chunks held (including ones that no longer cover any future tick until the next pop/prune). */
  get size(): number {
    return this.#count;
  }

  clear(): void {
    this.#head = 0;
    this.#count = 0;
  }

  /**
   * Adds a chunk whose first action is for tick startTick. chunk holds chunkSize × actionDim values (row per
   * action). Chunks must arrive in order of startTick; when the ring is full the oldest is dropped.
   */
  push(startTick: number, chunk: ArrayLike<number>): void {
    const n = this.chunkSize * this.actionDim;
    if (chunk.length < n) throw new RangeError(`ActionQueue#push: chunk has ${chunk.length} values, expected ${this.chunkSize}×${this.actionDim}`);
    if (this.#count > 0 && startTick < this.#start[this.#slot(this.#count - 1)]) {
      throw new RangeError(`ActionQueue#push: chunk for tick ${startTick} is older than the newest (${this.#start[this.#slot(this.#count - 1)]})`);
    }
    if (this.#count === this.capacity) {
      this.#head = (this.#head + 1) % this.capacity;
      this.#count--;
    }
    const slot = this.#slot(this.#count);
    this.#start[slot] = startTick;
    const base = slot * n;
    for (let i = 0; i < n; i++) this.#actions[base + i] = chunk[i];
    this.#count++;
  }

  /** Actions ahead in the newest chunk for this tick (this tick included); 0 when none covers it. */
  remaining(tick: number): number {
    if (this.#count === 0) return 0;
    const start = this.#start[this.#slot(this.#count - 1)];
    return Math.max(0, Math.min(this.chunkSize, start + this.chunkSize - tick));
  }

  /** True when a new chunk should be requested at this tick. */
  needsRefill(tick: number): boolean {
    return this.remaining(tick) < this.refillThreshold;
  }

  /**
   * The ensembled action for tick into out (actionDim values). Drops chunks that ended before tick.
   * Returns false (out untouched) when no chunk covers the tick.
   */
  pop(tick: number, out: Float64Array): boolean {
    this.#prune(tick);
    const n = this.chunkSize * this.actionDim, d = this.actionDim;
    let wSum = 0, i = 0;
    for (let k = 0; k < this.#count; k++) {
      const slot = this.#slot(k);
      const offset = tick - this.#start[slot];
      if (offset < 0 || offset >= this.chunkSize) continue;
      const w = this.#weights[i++];
      const base = slot * n + offset * d;
      if (wSum === 0) for (let j = 0; j < d; j++) out[j] = w * this.#actions[base + j];
      else for (let j = 0; j < d; j++) out[j] += w * this.#actions[base + j];
      wSum += w;
    }
    if (wSum === 0) return false;
    for (let j = 0; j < d; j++) out[j] /= wSum;
    return true;
  }

  #prune(tick: number): void {
    while (this.#count > 0 && this.#start[this.#head] + this.chunkSize <= tick) {
      this.#head = (this.#head + 1) % this.capacity;
      this.#count--;
    }
  }

  #slot(k: number): number {
    return (this.#head + k) % this.capacity;
  }
}
