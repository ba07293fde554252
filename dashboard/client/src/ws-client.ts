import { ARMSTACK_WS_PROTOCOL, type ServerMessage } from '../../server/protocol.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface WsClientHandlers {
  onMessage(msg: ServerMessage): void;
  onState(state: ConnectionState): void;
  /** Binary frames (camera images: "ASF1" + header + JPEG, see PROTOCOL.md). */
  onBinary?(data: ArrayBuffer): void;
}

export interface WsClientConfig {
  url: string;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** The page's URL for the server's socket: same host, path `ws` relative to the page (proxy prefixes work). */
export function defaultSocketUrl(pageHref: string = location.href): string {
  const url = new URL('ws', pageHref);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url.href;
}

/** One WebSocket to the dashboard server that keeps coming back: reconnects with capped exponential backoff. */
export class WsClient {
  readonly #config: Required<WsClientConfig>;
  readonly #handlers: WsClientHandlers;
  #socket: WebSocket | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #backoffMs: number;
  #stopped = true;

  constructor(config: WsClientConfig, handlers: WsClientHandlers) {
    this.#config = { minBackoffMs: 250, maxBackoffMs: 5000, ...config };
    this.#handlers = handlers;
    this.#backoffMs = this.#config.minBackoffMs;
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#socket?.close(1000, 'client stopping');
    this.#socket = undefined;
  }

  send(msg: object): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(msg));
  }

  #connect(): void {
    this.#handlers.onState('connecting');
    const socket = new WebSocket(this.#config.url, ARMSTACK_WS_PROTOCOL);
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => {
      this.#backoffMs = this.#config.minBackoffMs;
      this.#handlers.onState('open');
    });
    socket.addEventListener('message', (ev: MessageEvent) => {
      if (ev.data instanceof ArrayBuffer) {
        this.#handlers.onBinary?.(ev.data);
        return;
      }
      if (typeof ev.data !== 'string') return;
      let msg: ServerMessage;
      try {
        msg = JSON.parse(ev.data) as ServerMessage;
      } catch {
        return; // the server only sends JSON; a torn frame is not worth a console error
      }
      this.#handlers.onMessage(msg);
    });
    socket.addEventListener('close', () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#handlers.onState('closed');
      if (this.#stopped) return;
      // Jitter keeps a room full of dashboards from reconnecting in lockstep after a server restart.
      const delayMs = this.#backoffMs * (0.75 + Math.random() * 0.5);
      this.#backoffMs = Math.min(this.#backoffMs * 2, this.#config.maxBackoffMs);
      this.#retryTimer = setTimeout(() => this.#connect(), delayMs);
    });
  }
}
