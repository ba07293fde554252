// Synthetic operator speech for tests and the voice evaluation: espeak-ng resampled by sox to recognizer PCM,
// then noise mixed in here with a seeded generator so a test set is the same on every run.

import { spawn } from 'node:child_process';
import { RECOGNIZER_SAMPLE_RATE_HZ } from './wav.js';
import { mulberry32 } from '../../random.js';

export interface SpeechConfig {
  text: string;
  /** espeak-ng voice name, e.g. en-us, en-gb, en-gb-scotland. */
  voice: string;
  /** Words per minute (espeak-ng -s). */
  speedWpm: number;
}

/** Runs espeak-ng | sox and returns 16 kHz mono PCM16 of the speech alone. */
export function synthesizeSpeech(cfg: SpeechConfig): Promise<Buffer> {
  // Text and voice travel as positional parameters, never spliced into the shell line.
  const script = 'espeak-ng -v "$1" -s "$2" --stdout "$3" | sox -t wav - -t raw -r "$4" -c 1 -b 16 -e signed-integer -L -';
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script, 'sh', cfg.voice, String(cfg.speedWpm), cfg.text, String(RECOGNIZER_SAMPLE_RATE_HZ)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const pcm = Buffer.concat(out);
      if (code === 0 && pcm.length > 0) resolve(pcm);
      else reject(new Error(`synthesizeSpeech: espeak-ng/sox failed for "${cfg.text}" (voice ${cfg.voice}): ${err.trim() || `exit ${code}`}`));
    });
  });
}

/** Seeded uniform numbers in [0, 1) (runtime/random.ts). */
export const seededRandom = mulberry32;

export interface NoiseConfig {
  /** RMS of the noise in PCM16 units (≈ 100 is a quiet room; speech peaks near 10000). */
  noiseRms: number;
  /** Noise-only lead before the speech, like a live microphone (pocketsphinx needs it to set its noise floor). */
  leadMs: number;
  /** Noise-only tail after the speech, so voice detection sees the end. */
  tailMs: number;
  seed: number;
}

/** Speech with lead and tail noise, and noise mixed under the speech. */
export function mixWithNoise(speech: Buffer, cfg: NoiseConfig): Buffer {
  const rand = seededRandom(cfg.seed);
  const lead = Math.round((cfg.leadMs / 1000) * RECOGNIZER_SAMPLE_RATE_HZ);
  const tail = Math.round((cfg.tailMs / 1000) * RECOGNIZER_SAMPLE_RATE_HZ);
  const speechSamples = speech.length >> 1;
  const out = Buffer.alloc((lead + speechSamples + tail) * 2);
  // Low-passed Gaussian noise: flat white noise sounds unlike rooms and fools the voice detector more.
  let prev = 0;
  for (let i = 0; i < lead + speechSamples + tail; i++) {
    const g = Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
    prev = 0.7 * prev + 0.3 * g;
    const noise = prev * cfg.noiseRms * 2.4;
    const s = i >= lead && i < lead + speechSamples ? speech.readInt16LE((i - lead) * 2) : 0;
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(s + noise))), i * 2);
  }
  return out;
}

/** Non-speech sounds of a warehouse floor, for rejection tests. */
export type SoundKind = 'beeps' | 'noise-burst' | 'clatter' | 'hum' | 'coughs';
export const SOUND_KINDS: readonly SoundKind[] = ['beeps', 'noise-burst', 'clatter', 'hum', 'coughs'];

/** PCM16 of a non-speech sound (before room noise is mixed in). */
export function synthesizeSound(kind: SoundKind, seed: number): Buffer {
  const rate = RECOGNIZER_SAMPLE_RATE_HZ;
  const rand = seededRandom(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
  const lengthS = { beeps: 1.3, 'noise-burst': 0.8, clatter: 1.2, hum: 1.5, coughs: 1.0 }[kind];
  const n = Math.round(lengthS * rate);
  const out = Buffer.alloc(n * 2);
  let lp = 0;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    let v = 0;
    switch (kind) {
      case 'beeps': // a reversing forklift: 1 kHz, 300 ms on, 200 ms off
        v = t % 0.5 < 0.3 ? 4000 * Math.sin(2 * Math.PI * 1000 * t) : 0;
        break;
      case 'noise-burst':
        v = 1500 * gauss() * Math.min(1, t / 0.05, (lengthS - t) / 0.05);
        break;
      case 'clatter': { // decaying impulses every ~150 ms
        const phase = t % 0.15;
        v = 6000 * gauss() * Math.exp(-phase / 0.01);
        break;
      }
      case 'hum':
        v = 2500 * (Math.sin(2 * Math.PI * 100 * t) + 0.5 * Math.sin(2 * Math.PI * 200 * t) + 0.3 * Math.sin(2 * Math.PI * 300 * t));
        break;
      case 'coughs': { // two bursts of low-passed noise
        lp = 0.6 * lp + 0.4 * gauss();
        const env = (t < 0.3 ? Math.sin((Math.PI * t) / 0.3) : 0) + (t > 0.55 && t < 0.8 ? Math.sin((Math.PI * (t - 0.55)) / 0.25) : 0);
        v = 5000 * lp * env;
        break;
      }
    }
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v))), i * 2);
  }
  return out;
}
