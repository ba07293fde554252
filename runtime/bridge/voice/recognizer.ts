// Offline speech commands: PCM16 16 kHz mono in, one transcript (text, intent, confidence, timing) per utterance
// out. Two pocketsphinx decoders hear the same audio: the grammar decoder, and a phone loop whose score tells
// commands from other speech (rejection.ts). Decoders that die are restarted; sound that never pauses is cut off.

import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCompiledGrammar } from '../intents/parse-intent.js';
import type { CompiledGrammar } from '../intents/parse-intent.js';
import { DecoderProcess } from './decoder-process.js';
import type { UtteranceOutput } from './decoder-output.js';
import { isFillerWord } from './decoder-output.js';
import { generateFsg } from './fsg.js';
import { CMU_PHONES, defaultModel, garbageWord, generateDictionary, generateJsgf, grammarWords } from './jsgf.js';
import type { GarbageConfig, PocketsphinxModel } from './jsgf.js';
import { DEFAULT_REJECTION, decide } from './rejection.js';
import type { Decision, RejectionConfig } from './rejection.js';
import { SoundActivity } from './sound-activity.js';
import { RECOGNIZER_SAMPLE_RATE_HZ } from './wav.js';
import { UserError } from '../../errors.js';

export interface PocketsphinxRecognizerConfig {
  model: PocketsphinxModel;
  grammar: CompiledGrammar;
  rejection: RejectionConfig;
  /** Garbage path used when rejection.mode is 'garbage'. */
  garbage: GarbageConfig;
  /** Sound without a pause longer than this is cut off (the decoder is restarted). */
  maxUtteranceMs: number;
  /** One write() may carry at most this much audio. */
  maxChunkMs: number;
  /** Audio the decoders have not yet taken; beyond it new audio is dropped and reported. */
  maxBacklogMs: number;
  /** How long a grammar result waits for its phone-loop twin before it is decided without a score. */
  pairTimeoutMs: number;
  /** Viterbi beams of the grammar decoder; wider than pocketsphinx's defaults, which often end "no match". */
  beams: { beam: string; pbeam: string; wbeam: string };
  /**
   * Filler probabilities of the phone-loop decoder: letting it explain noise as noise makes noise that the
   * grammar forced onto a command score low.
   */
  phoneLoopFillers: { fillprob: string; silprob: string };
  binary: string;
  /** Restart back-off after a decoder dies. */
  restartDelayMs: { min: number; max: number };
  /** Give up after this many deaths in a row, each within restartDelayMs.max of starting. */
  maxQuickFailures: number;
}

export const DEFAULT_RECOGNIZER_CONFIG: Omit<PocketsphinxRecognizerConfig, 'model' | 'grammar'> = {
  rejection: DEFAULT_REJECTION,
  garbage: { weight: 0.01, phoneProb: 0.2, phones: CMU_PHONES },
  maxUtteranceMs: 10_000,
  maxChunkMs: 5_000,
  maxBacklogMs: 30_000,
  pairTimeoutMs: 5_000,
  beams: { beam: '1e-80', pbeam: '1e-80', wbeam: '1e-60' },
  phoneLoopFillers: { fillprob: '1e-8', silprob: '0.005' },
  binary: 'pocketsphinx_continuous',
  restartDelayMs: { min: 200, max: 5_000 },
  maxQuickFailures: 5,
};

export interface Transcript extends Decision {
  /** Counts utterances since the recognizer was created, across restarts. */
  utterance: number;
  /**
   * Speech span on the audio clock (ms of audio written before it), from the decoder's 10 ms frames. The decoder
   * clock runs about 0.2 % behind the audio over long sessions.
   */
  speechStartMs: number;
  speechEndMs: number;
  /** Audio written so far when the transcript was emitted, in ms. */
  audioMs: number;
}

export interface RecognizerEvents {
  transcript: [Transcript];
  /** Recoverable trouble: a decoder restarted, an utterance cut off, audio dropped. Never thrown. */
  problem: [Error];
}

const BYTES_PER_MS = (RECOGNIZER_SAMPLE_RATE_HZ * 2) / 1000;

export class PocketsphinxRecognizer extends EventEmitter<RecognizerEvents> {
  readonly config: PocketsphinxRecognizerConfig;
  readonly #dir: string;
  readonly #args: { grammar: string[]; phoneLoop: string[] };
  readonly #activity = new SoundActivity();
  #grammarDecoder: DecoderProcess | undefined;
  #phoneDecoder: DecoderProcess | undefined;
  #generation = 0;
  #emitted = 0;
  #audioBytes = 0;
  #waiting = new Map<number, { g: UtteranceOutput; timer: NodeJS.Timeout }>();
  #phoneResults = new Map<number, UtteranceOutput>();
  #startedAt = 0;
  #spawnAudioMs = 0;
  #quickFailures = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #failed: Error | undefined;
  #droppedReported = false;

  /** Writes the grammar files and starts the decoders. */
  static async create(config: Partial<PocketsphinxRecognizerConfig> = {}): Promise<PocketsphinxRecognizer> {
    const cfg: PocketsphinxRecognizerConfig = {
      ...DEFAULT_RECOGNIZER_CONFIG,
      model: defaultModel(),
      grammar: defaultCompiledGrammar(),
      ...config,
    };
    if (spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cfg.binary]).status !== 0) {
      throw new UserError(`${cfg.binary} not found; install it (apt-get install pocketsphinx pocketsphinx-en-us)`);
    }
    if (!existsSync(join(cfg.model.hmmDir, 'mdef'))) {
      throw new UserError(`no acoustic model in ${cfg.model.hmmDir}; install pocketsphinx-en-us or set ARMSTACK_POCKETSPHINX_MODEL`);
    }
    const garbage = cfg.rejection.mode === 'garbage' ? cfg.garbage : undefined;
    // Generate before touching the disk: a word missing from the dictionary throws here, naming it.
    const files = {
      // The garbage path needs transition probabilities, which only the FSG form honours.
      'command.gram': garbage ? generateFsg(cfg.grammar, garbage) : generateJsgf(cfg.grammar),
      'command.dict': generateDictionary(grammarWords(cfg.grammar), cfg.model.cmudictPath, garbage),
      'phone-loop.gram': `#JSGF V1.0;\ngrammar phoneloop;\npublic <loop> = (${CMU_PHONES.map(garbageWord).join(' | ')})+;\n`,
      'phone-loop.dict': `${CMU_PHONES.map((p) => `${garbageWord(p)} ${p}`).join('\n')}\n`,
    };
    const dir = await mkdtemp(join(tmpdir(), 'armstack-voice-'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const rec = new PocketsphinxRecognizer(cfg, dir);
    rec.#spawn();
    return rec;
  }

  private constructor(cfg: PocketsphinxRecognizerConfig, dir: string) {
    super();
    this.config = cfg;
    this.#dir = dir;
    const common = ['-hmm', cfg.model.hmmDir, '-backtrace', 'yes'];
    this.#args = {
      grammar: [...common, '-dict', join(dir, 'command.dict'),
        cfg.rejection.mode === 'garbage' ? '-fsg' : '-jsgf', join(dir, 'command.gram'),
        '-beam', cfg.beams.beam, '-pbeam', cfg.beams.pbeam, '-wbeam', cfg.beams.wbeam],
      phoneLoop: [...common, '-dict', join(dir, 'phone-loop.dict'), '-jsgf', join(dir, 'phone-loop.gram'),
        '-fillprob', cfg.phoneLoopFillers.fillprob, '-silprob', cfg.phoneLoopFillers.silprob],
    };
  }

  /** Milliseconds of audio written so far. */
  get audioMs(): number {
    return this.#audioBytes / BYTES_PER_MS;
  }

  /** Feeds PCM16 LE 16 kHz mono. Throws on malformed or oversized chunks; never blocks. */
  write(pcm: Buffer): void {
    if (this.#closed) throw new Error('PocketsphinxRecognizer#write: the recognizer is closed');
    if (this.#failed) throw new Error(`PocketsphinxRecognizer#write: the decoder failed for good: ${this.#failed.message}`);
    if (pcm.length % 2 !== 0) throw new Error(`PocketsphinxRecognizer#write: ${pcm.length} bytes is not whole PCM16 samples`);
    const maxBytes = this.config.maxChunkMs * BYTES_PER_MS;
    if (pcm.length > maxBytes) {
      throw new Error(`PocketsphinxRecognizer#write: chunk of ${pcm.length / BYTES_PER_MS} ms exceeds maxChunkMs ` +
        `${this.config.maxChunkMs}; write audio in pieces as it arrives`);
    }
    this.#audioBytes += pcm.length;
    const backlog = Math.max(this.#grammarDecoder?.backlogBytes ?? 0, this.#phoneDecoder?.backlogBytes ?? 0);
    if (!this.#grammarDecoder || backlog + pcm.length > this.config.maxBacklogMs * BYTES_PER_MS) {
      if (!this.#droppedReported) {
        this.#droppedReported = true;
        this.#problem(this.#grammarDecoder
          ? `decoders are more than ${this.config.maxBacklogMs} ms of audio behind; dropping audio until they catch up`
          : 'decoders are restarting; dropping audio until they are back');
      }
      return;
    }
    this.#droppedReported = false;
    this.#grammarDecoder.write(pcm);
    this.#phoneDecoder?.write(pcm);
    if (this.#activity.push(pcm) > this.config.maxUtteranceMs) {
      this.#activity.reset();
      this.#problem(`utterance cut off: sound went on for more than maxUtteranceMs ${this.config.maxUtteranceMs} ` +
        'without a pause; restarting the decoders');
      this.#restart(0);
    }
  }

  /** Ends input, waits for the last transcripts, and releases everything. */
  async end(): Promise<void> {
    if (this.#closed) return;
    const ends = [this.#grammarDecoder?.end(), this.#phoneDecoder?.end()];
    await Promise.all(ends);
    // Results of the last utterance may still be pairing.
    for (const [, w] of this.#waiting) {
      clearTimeout(w.timer);
      this.#emitDecision(w.g, this.#phoneResults.get(w.g.index));
    }
    this.#waiting.clear();
    await this.close();
  }

  /** Stops the decoders now and removes the grammar files. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    for (const [, w] of this.#waiting) clearTimeout(w.timer);
    this.#waiting.clear();
    await Promise.all([this.#grammarDecoder?.stop(), this.#phoneDecoder?.stop()]);
    await rm(this.#dir, { recursive: true, force: true });
  }

  /** Process ids of the decoders' process groups, for diagnostics and tests. */
  get decoderPids(): number[] {
    return [this.#grammarDecoder?.pid, this.#phoneDecoder?.pid].filter((p): p is number => p !== undefined);
  }

  #spawn(): void {
    const gen = ++this.#generation;
    this.#startedAt = Date.now();
    this.#spawnAudioMs = this.audioMs;
    this.#phoneResults.clear();
    const onExit = (name: string) => (code: number | null, signal: NodeJS.Signals | null, tail: string) => {
      if (gen !== this.#generation || this.#closed) return;
      const quick = Date.now() - this.#startedAt < this.config.restartDelayMs.max;
      this.#quickFailures = quick ? this.#quickFailures + 1 : 0;
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const detail = tail ? `; last output:\n${tail}` : '';
      if (this.#quickFailures >= this.config.maxQuickFailures) {
        this.#failed = new Error(`PocketsphinxRecognizer: the ${name} decoder died ${this.#quickFailures} times in a row (${how})${detail}`);
        this.#problem(this.#failed.message);
        void this.#stopDecoders();
        return;
      }
      this.#problem(`the ${name} decoder ended (${how}); restarting${detail}`);
      const delay = Math.min(this.config.restartDelayMs.max, this.config.restartDelayMs.min * 2 ** this.#quickFailures);
      this.#restart(delay);
    };
    this.#grammarDecoder = new DecoderProcess({
      name: 'grammar', binary: this.config.binary, args: this.#args.grammar,
      onUtterance: (u) => gen === this.#generation && this.#onGrammar(u),
      onExit: onExit('grammar'),
    });
    this.#phoneDecoder = this.config.rejection.mode === 'phone-loop'
      ? new DecoderProcess({
        name: 'phone-loop', binary: this.config.binary, args: this.#args.phoneLoop,
        onUtterance: (u) => gen === this.#generation && this.#onPhoneLoop(u),
        onExit: onExit('phone-loop'),
      })
      : undefined;
  }

  async #stopDecoders(): Promise<void> {
    this.#generation++;
    const old = [this.#grammarDecoder, this.#phoneDecoder];
    this.#grammarDecoder = undefined;
    this.#phoneDecoder = undefined;
    for (const [, w] of this.#waiting) clearTimeout(w.timer);
    this.#waiting.clear();
    await Promise.all(old.map((d) => d?.stop()));
  }

  #restart(delayMs: number): void {
    void this.#stopDecoders();
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (!this.#closed && !this.#failed) this.#spawn();
    }, delayMs);
  }

  #onGrammar(u: UtteranceOutput): void {
    if (this.config.rejection.mode !== 'phone-loop') {
      this.#emitDecision(u, undefined);
      return;
    }
    const twin = this.#phoneResults.get(u.index);
    if (twin) {
      this.#phoneResults.delete(u.index);
      this.#emitDecision(u, twin);
      return;
    }
    const timer = setTimeout(() => {
      this.#waiting.delete(u.index);
      this.#emitDecision(u, undefined);
    }, this.config.pairTimeoutMs);
    this.#waiting.set(u.index, { g: u, timer });
  }

  #onPhoneLoop(u: UtteranceOutput): void {
    const waiting = this.#waiting.get(u.index);
    if (waiting) {
      clearTimeout(waiting.timer);
      this.#waiting.delete(u.index);
      this.#emitDecision(waiting.g, u);
      return;
    }
    this.#phoneResults.set(u.index, u);
    // The grammar decoder is the faster one; anything far older than this never found its twin.
    for (const k of this.#phoneResults.keys()) if (k < u.index - 16) this.#phoneResults.delete(k);
  }

  #emitDecision(g: UtteranceOutput, p: UtteranceOutput | undefined): void {
    if (p && p.frames !== g.frames) {
      this.#problem(`decoders out of step at utterance ${g.index} (${g.frames} vs ${p.frames} frames); scoring without the phone loop`);
      p = undefined;
    }
    const d = decide(g, p, this.config.rejection);
    const speech = (g.hypothesis?.segments ?? []).filter((s) => !isFillerWord(s.word));
    const all = g.hypothesis?.segments ?? [];
    const first = speech[0] ?? all[0];
    const last = speech[speech.length - 1] ?? all[all.length - 1];
    this.emit('transcript', {
      ...d,
      utterance: this.#emitted++,
      speechStartMs: this.#spawnAudioMs + (first?.startFrame ?? 0) * 10,
      speechEndMs: this.#spawnAudioMs + ((last?.endFrame ?? -1) + 1) * 10,
      audioMs: this.audioMs,
    });
  }

  #problem(message: string): void {
    this.emit('problem', new Error(`PocketsphinxRecognizer: ${message}`));
  }
}
