// How long sound has gone on without a pause, from PCM energy. pocketsphinx_continuous only closes an utterance
// when its voice detector hears a pause, so a sound that never pauses (a machine, a radio) would hold the decoder
// in one endless utterance; the recognizer watches this and cuts the utterance off.

export interface SoundActivityConfig {
  sampleRateHz: number;
  /** A frame is sound when its energy is this many times the noise floor's (4 = 6 dB). */
  ratio: number;
  /** Frames quieter than this RMS never count as sound, whatever the floor. */
  minRms: number;
  /** A pause at least this long ends a run of sound (pocketsphinx ends utterances after 0.5 s). */
  pauseMs: number;
  /** How fast the floor may rise, in dB per second, so a steady new noise becomes the floor. */
  floorRiseDbPerS: number;
}

export const DEFAULT_SOUND_ACTIVITY: SoundActivityConfig = {
  sampleRateHz: 16000,
  ratio: 4,
  minRms: 30,
  pauseMs: 300,
  floorRiseDbPerS: 1,
};

const FRAME_MS = 10;

export class SoundActivity {
  readonly #cfg: SoundActivityConfig;
  readonly #frameSamples: number;
  readonly #riseFactor: number;
  #floorEnergy = Number.POSITIVE_INFINITY;
  #frameEnergy = 0;
  #frameFill = 0;
  #soundMs = 0;
  #quietMs = 0;

  constructor(cfg: Partial<SoundActivityConfig> = {}) {
    this.#cfg = { ...DEFAULT_SOUND_ACTIVITY, ...cfg };
    this.#frameSamples = Math.round((this.#cfg.sampleRateHz * FRAME_MS) / 1000);
    // Energy is amplitude squared: dB/10 per second, spread over frames.
    this.#riseFactor = 10 ** ((this.#cfg.floorRiseDbPerS * FRAME_MS) / 1000 / 10);
  }

  /** Milliseconds of sound since the last pause. */
  get soundMs(): number {
    return this.#soundMs;
  }

  reset(): void {
    this.#soundMs = 0;
    this.#quietMs = 0;
  }

  /** Feeds PCM16 LE mono; returns the running sound length in ms. */
  push(pcm: Buffer): number {
    for (let i = 0; i + 1 < pcm.length; i += 2) {
      const s = pcm.readInt16LE(i);
      this.#frameEnergy += s * s;
      if (++this.#frameFill === this.#frameSamples) this.#endFrame();
    }
    return this.#soundMs;
  }

  #endFrame(): void {
    const energy = this.#frameEnergy / this.#frameSamples;
    this.#frameEnergy = 0;
    this.#frameFill = 0;
    this.#floorEnergy = Math.max(1, Math.min(energy, this.#floorEnergy * this.#riseFactor));
    const sound = energy > this.#floorEnergy * this.#cfg.ratio && energy > this.#cfg.minRms ** 2;
    if (sound) {
      this.#soundMs += FRAME_MS + this.#quietMs;
      this.#quietMs = 0;
    } else if (this.#soundMs > 0) {
      this.#quietMs += FRAME_MS;
      if (this.#quietMs >= this.#cfg.pauseMs) this.reset();
    }
  }
}
