// One pocketsphinx_continuous subprocess fed raw PCM on stdin. It runs as
//   sh -c 'cat | exec stdbuf -oL pocketsphinx_continuous ... -infile /dev/stdin 2>&1'
// because pocketsphinx fopen()s its -infile and Node's stdin is a socket (fopen on it fails), `cat` turns it
// into a pipe; stdbuf keeps stdout line-buffered so hypotheses come out when the utterance ends; and the log is
// merged into stdout so its lines keep their order (see decoder-output.ts).

import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { DecoderOutputParser } from './decoder-output.js';
import type { UtteranceOutput } from './decoder-output.js';

export interface DecoderProcessConfig {
  /** Shown in errors: "grammar", "phone-loop". */
  name: string;
  /** pocketsphinx_continuous arguments, without -infile. */
  args: readonly string[];
  binary?: string;
  onUtterance: (u: UtteranceOutput) => void;
  /** The process ended without stop() being called; `tail` is its last output lines. */
  onExit: (code: number | null, signal: NodeJS.Signals | null, tail: string) => void;
}

/** A search result with no hypothesis is released after this long without more output. */
const FLUSH_AFTER_MS = 1000;
const TAIL_LINES = 8;

export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export class DecoderProcess {
  readonly #cfg: DecoderProcessConfig;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #parser = new DecoderOutputParser();
  #flushTimer: NodeJS.Timeout | undefined;
  #stopping = false;
  #exited = false;
  #tail: string[] = [];
  readonly exited: Promise<void>;

  constructor(cfg: DecoderProcessConfig) {
    this.#cfg = cfg;
    const binary = cfg.binary ?? 'pocketsphinx_continuous';
    const line = `cat | exec stdbuf -oL ${[binary, ...cfg.args, '-infile', '/dev/stdin'].map(shellQuote).join(' ')} 2>&1`;
    // Its own process group, so stop() can end sh, cat and the decoder together.
    this.#child = spawn('sh', ['-c', line], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.#child.stdout.setEncoding('utf8');
    this.#child.stdout.on('data', (chunk: string) => this.#onOutput(chunk));
    this.#child.stderr.setEncoding('utf8');
    this.#child.stderr.on('data', (chunk: string) => this.#remember(chunk));
    // EPIPE after the decoder died is reported through onExit, not as an unhandled error.
    this.#child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.#child.on('error', (err) => {
        this.#remember(`${err.message}\n`);
        this.#onEnd(null, null);
        resolve();
      });
      this.#child.on('close', (code, signal) => {
        this.#onEnd(code, signal);
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Bytes accepted but not yet taken by the subprocess. */
  get backlogBytes(): number {
    return this.#child.stdin.writableLength;
  }

  get alive(): boolean {
    return !this.#exited;
  }

  write(pcm: Buffer): void {
    if (!this.#exited && !this.#child.stdin.destroyed) this.#child.stdin.write(pcm);
  }

  /** Ends input: the decoder finishes the current utterance and exits. */
  async end(): Promise<void> {
    this.#stopping = true;
    this.#child.stdin.end();
    await this.exited;
  }

  /** Ends the process group now. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (!this.#exited && this.#child.pid !== undefined) {
      try {
        process.kill(-this.#child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await this.exited;
  }

  #onOutput(chunk: string): void {
    this.#remember(chunk);
    for (const u of this.#parser.pushChunk(chunk)) this.#cfg.onUtterance(u);
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#parser.closing) {
      this.#flushTimer = setTimeout(() => {
        const u = this.#parser.flush();
        if (u) this.#cfg.onUtterance(u);
      }, FLUSH_AFTER_MS);
      this.#flushTimer.unref();
    }
  }

  #remember(chunk: string): void {
    this.#tail.push(...chunk.split('\n').filter((l) => l.trim() !== ''));
    if (this.#tail.length > TAIL_LINES * 4) this.#tail = this.#tail.slice(-TAIL_LINES);
  }

  #onEnd(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#exited) return;
    this.#exited = true;
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    for (const u of this.#parser.pushChunk('\n')) this.#cfg.onUtterance(u);
    const last = this.#parser.flush();
    if (last) this.#cfg.onUtterance(last);
    if (!this.#stopping) this.#cfg.onExit(code, signal, this.#tail.slice(-TAIL_LINES).join('\n'));
  }
}
