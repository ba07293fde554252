// Voice on the robot: operator audio chunks from MQTT → one pocketsphinx recognizer per utterance → a
// transcript on voice/transcript and, unless rejected, a command through the bridge's usual checks.
// Stop words are not special-cased here: the bridge's command path already puts them first.
import type { AudioChunk } from '../runtime/bridge/mqtt/audio.js';
import type { CommandBridge } from '../runtime/bridge/mqtt/command-bridge.js';
import { PocketsphinxRecognizer } from '../runtime/bridge/voice/index.js';
import type { Transcript } from '../runtime/bridge/voice/recognizer.js';

export interface VoiceListenerConfig {
  /** Utterances open at once (each runs decoder subprocesses); more are refused with a log line. */
  maxOpenUtterances: number;
  /** An utterance without a final chunk for this long is ended anyway. */
  idleTimeoutMs: number;
}

export const DEFAULT_VOICE_LISTENER_CONFIG: VoiceListenerConfig = { maxOpenUtterances: 4, idleTimeoutMs: 3000 };

interface Session {
  sender: string;
  utteranceId: string;
  recognizer: Promise<PocketsphinxRecognizer>;
  timer: NodeJS.Timeout;
  ending: boolean;
}

export class VoiceListener {
  readonly #bridge: () => CommandBridge | undefined;
  readonly #log: (line: string) => void;
  readonly #config: VoiceListenerConfig;
  readonly #sessions = new Map<string, Session>();
  #closed = false;

  constructor(bridge: () => CommandBridge | undefined, log: (line: string) => void, config: Partial<VoiceListenerConfig> = {}) {
    this.#bridge = bridge;
    this.#log = log;
    this.#config = { ...DEFAULT_VOICE_LISTENER_CONFIG, ...config };
  }

  /** The bridge's onAudio hook. Never throws: a broken utterance is logged and dropped. */
  readonly onAudio = (sender: string, chunk: AudioChunk): void => {
    if (this.#closed) return;
    const key = `${sender}/${chunk.utteranceId}`;
    let session = this.#sessions.get(key);
    if (!session) {
      if (this.#sessions.size >= this.#config.maxOpenUtterances) {
        this.#log(`voice: utterance ${key} refused: ${this.#sessions.size} utterances already open`);
        return;
      }
      session = this.#open(sender, chunk.utteranceId, key);
    }
    if (session.ending) return;
    const pcm = Buffer.from(chunk.samples.buffer, chunk.samples.byteOffset, chunk.samples.byteLength);
    session.timer.refresh();
    void session.recognizer
      .then((r) => r.write(pcm))
      .catch((error: Error) => this.#log(`voice: ${key}: ${error.message}`));
    if (chunk.final) this.#end(key, session);
  };

  #open(sender: string, utteranceId: string, key: string): Session {
    const recognizer = PocketsphinxRecognizer.create();
    const session: Session = {
      sender,
      utteranceId,
      recognizer,
      ending: false,
      timer: setTimeout(() => this.#end(key, session), this.#config.idleTimeoutMs),
    };
    this.#sessions.set(key, session);
    recognizer
      .then((r) => {
        r.on('transcript', (t: Transcript) => this.#onTranscript(session, t));
        r.on('problem', (p: unknown) => this.#log(`voice: ${key}: ${String((p as { message?: string }).message ?? p)}`));
      })
      .catch((error: Error) => {
        this.#log(`voice: cannot start the recognizer (${error.message}); audio from ${sender} is ignored`);
        clearTimeout(session.timer);
        this.#sessions.delete(key);
      });
    return session;
  }

  #onTranscript(session: Session, t: Transcript): void {
    const bridge = this.#bridge();
    if (!bridge || this.#closed) return;
    const { sender, utteranceId } = session;
    void bridge
      .publishTranscript({ utteranceId, operator: sender, text: t.text, final: true, confidence: t.confidence, intent: t.intent })
      .catch((error: Error) => this.#log(`voice: transcript not published: ${error.message}`));
    if (t.intent.intent === 'reject') {
      this.#log(`voice: ${sender}: "${t.text}" rejected (${t.intent.reason}, confidence ${t.confidence.toFixed(2)})`);
      return;
    }
    bridge.submitVoiceCommand(sender, `${utteranceId}-${t.utterance}`, t.text);
  }

  #end(key: string, session: Session): void {
    if (session.ending) return;
    session.ending = true;
    clearTimeout(session.timer);
    void session.recognizer
      .then(async (r) => {
        await r.end();
        await r.close();
      })
      .catch((error: Error) => this.#log(`voice: ${key}: ${error.message}`))
      .finally(() => this.#sessions.delete(key));
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#sessions.entries()];
    for (const [key, s] of all) this.#end(key, s);
    await Promise.allSettled(all.map(([, s]) => s.recognizer.then((r) => r.close())));
  }
}
