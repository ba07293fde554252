// Motion commands that wait for a `confirm` from the same operator. At most one per operator: a newer motion
// command replaces the older one, so "confirm" always means the last thing that operator asked for.
import type { Intent } from '../intents/index.js';
import type { CommandContext } from './command-processor.js';

/**
 * - `off`: motion runs without confirmation;
 * - `payload`: motion needs `"confirm": true` in the same command;
 * - `follow-up`: motion waits for a `confirm` command within windowMs;
 * - `payload-or-follow-up`: either.
 */
export type ConfirmationMode = 'off' | 'payload' | 'follow-up' | 'payload-or-follow-up';

export interface ConfirmationConfig {
  mode: ConfirmationMode;
  windowMs: number;
}

export const DEFAULT_CONFIRMATION: ConfirmationConfig = { mode: 'off', windowMs: 5000 };

export interface PendingCommand {
  intent: Intent;
  ctx: CommandContext;
}

interface Held extends PendingCommand {
  sinceMs: number;
  timer: ReturnType<typeof setTimeout>;
}

export class PendingConfirmations {
  readonly #config: ConfirmationConfig;
  readonly #onTimeout: (pending: PendingCommand) => void;
  readonly #held = new Map<string, Held>();

  constructor(config: ConfirmationConfig, onTimeout: (pending: PendingCommand) => void) {
    if (!(config.windowMs > 0)) throw new Error(`PendingConfirmations: windowMs must be > 0 (got ${config.windowMs})`);
    this.#config = config;
    this.#onTimeout = onTimeout;
  }

  get followUpAllowed(): boolean {
    return this.#config.mode === 'follow-up' || this.#config.mode === 'payload-or-follow-up';
  }

  /** Whether a motion command still needs a confirmation, given whether it carried `confirm: true`. */
  needsConfirmation(confirmedInPayload: boolean): boolean {
    switch (this.#config.mode) {
      case 'off':
        return false;
      case 'payload':
      case 'payload-or-follow-up':
        return !confirmedInPayload;
      case 'follow-up':
        return true;
    }
  }

  /** Holds a command for its operator; returns the one it replaces, if any. */
  hold(command: PendingCommand, nowMs: number): PendingCommand | undefined {
    const replaced = this.take(command.ctx.operator);
    const timer = setTimeout(() => {
      if (this.#held.get(command.ctx.operator)?.timer !== timer) return;
      this.#held.delete(command.ctx.operator);
      this.#onTimeout(command);
    }, this.#config.windowMs);
    timer.unref();
    this.#held.set(command.ctx.operator, { ...command, sinceMs: nowMs, timer });
    return replaced;
  }

  /**
   * Removes and returns the operator's pending command. With `nowMs`, one older than the window counts as gone
   * (its timer may not have fired yet on a busy loop) and is reported through onTimeout.
   */
  take(operator: string, nowMs?: number): PendingCommand | undefined {
    const held = this.#held.get(operator);
    if (!held) return undefined;
    clearTimeout(held.timer);
    this.#held.delete(operator);
    if (nowMs !== undefined && nowMs - held.sinceMs > this.#config.windowMs) {
      this.#onTimeout(held);
      return undefined;
    }
    return { intent: held.intent, ctx: held.ctx };
  }

  rejectAll(each: (pending: PendingCommand) => void): void {
    for (const operator of [...this.#held.keys()]) {
      const pending = this.take(operator);
      if (pending) each(pending);
    }
  }

  clear(): void {
    for (const held of this.#held.values()) clearTimeout(held.timer);
    this.#held.clear();
  }
}
