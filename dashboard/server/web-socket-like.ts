// The least the server needs from a connection, so tests hand it a fake and production hands it a `ws`
// WebSocket (foxglove ws-protocol's server works the same way). The `ws` package's socket fits as is.

/** WebSocket.OPEN; other states mean sending would throw or be lost. */
export const WS_OPEN = 1;
export const WS_CLOSED = 3;

export interface WebSocketLike {
  readonly readyState: number;
  /** Bytes queued by send() and not yet handed to the OS: the measure of a slow client. */
  readonly bufferedAmount: number;
  /** Text frames for JSON; binary frames (camera images) for bytes. */
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
  on(event: 'close', listener: (code: number, reason: unknown) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  /** Present on real sockets: ends the connection at once when a polite close takes too long. */
  terminate?(): void;
}
