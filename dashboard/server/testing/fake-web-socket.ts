import { EventEmitter } from 'node:events';
import { WS_CLOSED, WS_OPEN, type WebSocketLike } from '../web-socket-like.js';

/** An in-memory WebSocketLike: records what the server sends and lets a test play the client. */
export class FakeWebSocket extends EventEmitter implements WebSocketLike {
  readyState = WS_OPEN;
  /** Set by a test to play a slow client whose socket buffer is backed up. */
  bufferedAmount = 0;
  readonly sent: string[] = [];
  /** Binary frames, apart from the JSON text in `sent`. */
  readonly binary: Uint8Array[] = [];

  send(data: string | Uint8Array): void {
    if (this.readyState !== WS_OPEN) throw new Error('FakeWebSocket#send: socket is not open');
    if (typeof data === 'string') this.sent.push(data);
    else this.binary.push(data);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === WS_CLOSED) return;
    this.readyState = WS_CLOSED;
    queueMicrotask(() => this.emit('close', code, reason));
  }

  terminate(): void {
    this.close(1006, 'terminated');
  }

  /** The client sends a frame (text unless isBinary). */
  receive(data: unknown, isBinary = false): void {
    this.emit('message', data, isBinary);
  }

  /** Parsed JSON of everything sent so far. */
  messages(): { op: string; [k: string]: unknown }[] {
    return this.sent.map((s) => JSON.parse(s) as { op: string });
  }
}
