// Reads pocketsphinx_continuous 5prealpha output (log on stderr merged with stdout) into one result per
// utterance. With -backtrace yes, each utterance the voice detector closes logs, in order:
//   INFO: fsg_search.c(853): 154 frames, 2030 HMMs (13/fr), ...     <- every utterance, even without a result
//   INFO: fsg_search.c(870): fsg 0.17 wall 0.111 xRT
//   [ERROR: "fsg_search.c", line 940: Final result does not match the grammar in frame 154]
//   INFO: pocketsphinx.c(1168): pick the red towel (-3771)          <- only when there is a hypothesis
//   word                 start end   pprob ascr       lscr       lback
//   pick                 95    133   1.000 -1410      0          1
//   pick the red towel                                               <- stdout, ends the table
// Counting utterances by their "frames" line keeps two decoders fed the same audio in step, because their
// voice detection is the same front end on the same samples.

export interface Segment {
  word: string;
  startFrame: number;
  endFrame: number;
  /** Posterior probability from the lattice (always 1 with a plain grammar). */
  posterior: number;
  /** Acoustic score, log base 1.0001 scaled down by 2^10 as pocketsphinx prints it. */
  acousticScore: number;
  languageScore: number;
}

export interface UtteranceOutput {
  /** 0-based, in the order the decoder closed utterances. */
  index: number;
  /** Frames the decoder searched (10 ms each). */
  frames: number;
  /** Undefined when nothing matched ("does not match the grammar"). */
  hypothesis?: { text: string; score: number; segments: Segment[] };
}

const FRAMES_RE = /^INFO: \w+\.c\(\d+\): (\d+) frames, \d+ HMMs/;
const HYP_RE = /^INFO: pocketsphinx\.c\(\d+\): (.*) \((-?\d+)\)$/;
const HEADER_RE = /^word\s+start\s+end\s+pprob\s+ascr/;
const ROW_RE = /^(\S+)\s+(-?\d+)\s+(-?\d+)\s+(-?[\d.]+(?:e[-+]?\d+)?)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s*$/;

/** Words that are not speech: silence, fillers and the null transitions of the grammar. */
export function isFillerWord(word: string): boolean {
  return word === '(NULL)' || word === 'SIL' || word.startsWith('<') || word.startsWith('[') || word.startsWith('++');
}

/**
 * Line-by-line state machine. `push` returns the utterances a line completes. An utterance without hypothesis
 * only completes at the next line, so call `flush` after a quiet moment to release it.
 */
export class DecoderOutputParser {
  #index = 0;
  #pending: UtteranceOutput | undefined;
  #state: 'idle' | 'closing' | 'header' | 'rows' = 'idle';
  #partial = '';

  /** Feeds raw output; returns every utterance completed by it. */
  pushChunk(chunk: string): UtteranceOutput[] {
    const text = this.#partial + chunk;
    const lines = text.split('\n');
    this.#partial = lines.pop()!;
    const done: UtteranceOutput[] = [];
    for (const line of lines) done.push(...this.pushLine(line.replace(/\r$/, '')));
    return done;
  }

  pushLine(line: string): UtteranceOutput[] {
    const done: UtteranceOutput[] = [];
    const frames = FRAMES_RE.exec(line);
    if (frames) {
      const finished = this.#finish();
      if (finished) done.push(finished);
      const n = Number(frames[1]);
      // A zero-frame search is the decoder's final flush at end of input, not an utterance.
      if (n > 0) {
        this.#pending = { index: this.#index++, frames: n };
        this.#state = 'closing';
      }
      return done;
    }
    if (!this.#pending) return done;
    if (this.#state === 'closing') {
      const hyp = HYP_RE.exec(line);
      if (hyp) {
        this.#pending.hypothesis = { text: hyp[1]!.trim(), score: Number(hyp[2]), segments: [] };
        this.#state = 'header';
      } else if (!line.startsWith('INFO:') && !line.startsWith('ERROR:') && !line.startsWith('WARN') && line.trim() !== '') {
        const finished = this.#finish();
        if (finished) done.push(finished);
      } else if (line.startsWith('INFO: cmn')) {
        // The next utterance started closing: this one had no hypothesis.
        const finished = this.#finish();
        if (finished) done.push(finished);
      }
      return done;
    }
    if (this.#state === 'header') {
      if (HEADER_RE.test(line)) this.#state = 'rows';
      return done;
    }
    const row = ROW_RE.exec(line);
    if (row) {
      this.#pending.hypothesis!.segments.push({
        word: row[1]!,
        startFrame: Number(row[2]),
        endFrame: Number(row[3]),
        posterior: Number(row[4]),
        acousticScore: Number(row[5]),
        languageScore: Number(row[6]),
      });
      return done;
    }
    const finished = this.#finish();
    if (finished) done.push(finished);
    return done;
  }

  /** Completes a pending utterance that has its search stats but no hypothesis (or an unterminated table). */
  flush(): UtteranceOutput | undefined {
    if (this.#state === 'rows' || this.#state === 'closing') return this.#finish();
    return undefined;
  }

  /** True while an utterance is closing and may still get its hypothesis lines. */
  get closing(): boolean {
    return this.#pending !== undefined;
  }

  #finish(): UtteranceOutput | undefined {
    const p = this.#pending;
    this.#pending = undefined;
    this.#state = 'idle';
    if (p?.hypothesis) p.hypothesis.segments = p.hypothesis.segments.filter((s) => s.word !== '(NULL)');
    return p;
  }
}
