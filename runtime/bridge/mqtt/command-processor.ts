// What happens to one command, transport aside. Order matters and is the safety argument:
//   1. stop words first: onEstop runs synchronously, before validation verdicts, TTL, rate limit or confirmation;
//   2. validation, identity (payload operator = broker-authenticated sender), role, retained, TTL;
//   3. per-operator rate limit (never for stop words or pause), duplicate ids;
//   4. e-stop latch gate, confirmation, then the executive, acked accepted -> done | failed.
// Every command gets exactly one final ack (rejected, done or failed), so a client can count answers.
import { isMotionIntent } from '../intents/index.js';
import type { Intent, ParsedIntent } from '../intents/index.js';
import { decodeCommand } from './command-decode.js';
import { KeyedTokenBucket, DEFAULT_RATE_LIMIT, type RateLimitConfig } from './rate-limit.js';
import type { Ack, AckStatus, Command, RobotEvent } from './schemas.js';
import type { Role } from './users.js';
import { PendingConfirmations, type ConfirmationConfig, DEFAULT_CONFIRMATION } from './confirmation.js';

export type { ConfirmationConfig, ConfirmationMode } from './confirmation.js';

export interface CommandProcessorConfig {
  rateLimit: RateLimitConfig;
  confirmation: ConfirmationConfig;
  /** Clocks disagree a little; a command issued further in the future than this is refused. */
  maxFutureSkewMs: number;
  /** How many recent (operator, id) pairs are remembered to refuse a replayed id. */
  rememberIds: number;
}

export const DEFAULT_COMMAND_PROCESSOR_CONFIG: CommandProcessorConfig = {
  rateLimit: DEFAULT_RATE_LIMIT,
  confirmation: DEFAULT_CONFIRMATION,
  maxFutureSkewMs: 30_000,
  rememberIds: 4096,
};

/** How an intent ended; the object form carries the ack's reason (what happened, or why it was refused). */
export type ExecutionResult = 'done' | 'failed' | { status: 'done' | 'failed'; reason?: string };

export interface CommandContext {
  id: string;
  /** The broker-authenticated sender. */
  operator: string;
  role: Role;
  text: string | undefined;
  issuedAt: number;
  /** issuedAt + ttlMs: past this the command must not start (checked again after a confirmation). */
  expiresAt: number;
  receivedAt: number;
  /** True when the command ran after a confirmation. */
  confirmed: boolean;
}

/** The task executive: takes accepted intents and reports how they ended. */
export interface Executive {
  handle(intent: Intent, ctx: CommandContext): Promise<ExecutionResult>;
}

/** Must stop the arm before returning (EStopLatch#trip does). */
export type EstopHandler = (source: string, reason: string) => void;

/** The slice of EStopLatch the bridge needs to gate motion and to let a supervisor release it. */
export interface LatchControl {
  readonly latched: boolean;
  reset(by: { operator: string; role: 'viewer' | 'operator' | 'supervisor' }): { ok: true } | { ok: false; refusal: string };
}

export interface BridgeClock {
  /** Epoch milliseconds, for issuedAt and ttlMs. */
  wallMs(): number;
  /** Monotonic milliseconds, for rate limits and confirmation windows. */
  monoMs(): number;
}

export const systemClock: BridgeClock = { wallMs: () => Date.now(), monoMs: () => performance.now() };

export interface CommandProcessorDeps {
  roleOf(username: string): Role | undefined;
  onEstop: EstopHandler;
  executive: Executive;
  latch?: LatchControl;
  sendAck(ack: Ack): void;
  sendEvent?(event: Omit<RobotEvent, 'at'>): void;
  clock?: BridgeClock;
}

export interface IncomingCommand {
  /** The username from the topic level the broker restricts to the authenticated user. */
  sender: string;
  payload: Uint8Array;
  retained: boolean;
}

const HUMAN_COMMANDERS: ReadonlySet<Role> = new Set<Role>(['operator', 'supervisor']);

export class CommandProcessor {
  readonly #config: CommandProcessorConfig;
  readonly #deps: CommandProcessorDeps;
  readonly #clock: BridgeClock;
  readonly #buckets: KeyedTokenBucket;
  readonly #recentIds = new Set<string>();
  readonly #pending: PendingConfirmations;

  constructor(config: Partial<CommandProcessorConfig>, deps: CommandProcessorDeps) {
    this.#config = { ...DEFAULT_COMMAND_PROCESSOR_CONFIG, ...config };
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#buckets = new KeyedTokenBucket(this.#config.rateLimit);
    this.#pending = new PendingConfirmations(this.#config.confirmation, (p) => {
      this.#ack(p.ctx.id, p.ctx.operator, 'rejected', `not confirmed within ${this.#config.confirmation.windowMs} ms`, p.intent);
      this.#deps.sendEvent?.({ type: 'confirm-timeout', operator: p.ctx.operator, id: p.ctx.id });
    });
  }

  /** Handles one message synchronously up to the executive call; an e-stop has happened when this returns. */
  handle(message: IncomingCommand): void {
    const { sender } = message;
    const decoded = decodeCommand(message.payload);
    if (decoded.kind === 'stop') {
      const why = decoded.text === undefined ? 'estop intent' : `stop word: "${decoded.text.slice(0, 120)}"`;
      try {
        this.#deps.onEstop(`mqtt:${sender}`, `${why} from ${sender}`);
      } catch (error) {
        // The operator must hear that this stop may not have stopped anything.
        return this.#ack(decoded.id, sender, 'failed', `e-stop handler threw: ${(error as Error)?.message ?? String(error)}`, { intent: 'estop' });
      }
      // Nothing queued before the stop may start afterwards.
      this.#pending.rejectAll((p) => this.#ack(p.ctx.id, p.ctx.operator, 'rejected', 'cancelled by e-stop', p.intent));
      this.#ack(decoded.id, sender, 'done', decoded.issues && `e-stop tripped; the rest of the message was invalid: ${decoded.issues}`, { intent: 'estop' });
      this.#deps.sendEvent?.({ type: 'estop', operator: sender, id: decoded.id, message: why });
      return;
    }
    if (decoded.kind === 'invalid') return this.#ack(decoded.id, sender, 'rejected', decoded.reason);

    const { command, intent } = decoded;
    const reject = (reason: string): void => this.#ack(command.id, sender, 'rejected', reason, intent);
    if (command.operator !== sender) {
      return reject(`operator "${command.operator}" does not match the authenticated user "${sender}"`);
    }
    const role = this.#deps.roleOf(sender);
    if (role === undefined) return reject(`user "${sender}" is not in the user store`);
    if (message.retained) return reject('retained commands are never executed');
    const now = this.#clock.wallMs();
    if (command.issuedAt + command.ttlMs < now) {
      return reject(`expired: issued ${now - command.issuedAt} ms ago with ttlMs ${command.ttlMs}`);
    }
    if (command.issuedAt > now + this.#config.maxFutureSkewMs) {
      return reject(`issuedAt is ${command.issuedAt - now} ms in the future (clock skew over ${this.#config.maxFutureSkewMs} ms)`);
    }
    if (!HUMAN_COMMANDERS.has(role)) return reject(`user "${sender}" has role ${role}; commands need role operator or supervisor`);
    // Pausing stops motion, so like a stop word it is never throttled.
    if (intent.intent !== 'pause' && !this.#buckets.take(sender, this.#clock.monoMs())) {
      const { ratePerSec, burst } = this.#config.rateLimit;
      return reject(`rate limited: more than ${ratePerSec} commands/s (burst ${burst}) from ${sender}`);
    }
    if (!this.#remember(sender, command.id)) return reject(`duplicate id "${command.id}" from ${sender}`);
    if (intent.intent === 'reject') return reject(`not understood: ${intent.reason}`);

    const ctx: CommandContext = {
      id: command.id, operator: sender, role, text: command.text, issuedAt: command.issuedAt,
      expiresAt: command.issuedAt + command.ttlMs, receivedAt: now, confirmed: false,
    };
    this.#dispatch(intent, ctx, command);
  }

  #dispatch(intent: Intent, ctx: CommandContext, command: Command): void {
    const latch = this.#deps.latch;
    if (latch?.latched && intent.intent === 'resume') return this.#releaseLatch(latch, intent, ctx);
    if (latch?.latched && isMotionIntent(intent)) {
      return this.#ack(ctx.id, ctx.operator, 'rejected', 'the e-stop is latched; a supervisor must release it (resume)', intent);
    }
    if (intent.intent === 'confirm') return this.#confirm(intent, ctx);
    if (intent.intent === 'cancel') {
      const cancelled = this.#pending.take(ctx.operator);
      if (cancelled) {
        this.#ack(cancelled.ctx.id, ctx.operator, 'rejected', `cancelled by ${ctx.id}`, cancelled.intent);
        return this.#ack(ctx.id, ctx.operator, 'done', undefined, intent);
      }
    }
    if (isMotionIntent(intent) && this.#pending.needsConfirmation(command.confirm === true)) {
      if (!this.#pending.followUpAllowed) {
        return this.#ack(ctx.id, ctx.operator, 'rejected', 'motion commands need "confirm": true', intent);
      }
      const replaced = this.#pending.hold({ intent, ctx }, this.#clock.monoMs());
      if (replaced) this.#ack(replaced.ctx.id, ctx.operator, 'rejected', `superseded by ${ctx.id}`, replaced.intent);
      return this.#ack(ctx.id, ctx.operator, 'pending', `say confirm within ${this.#config.confirmation.windowMs} ms`, intent);
    }
    this.#execute(intent, ctx);
  }

  #confirm(intent: Intent, ctx: CommandContext): void {
    const pending = this.#pending.take(ctx.operator, this.#clock.monoMs());
    if (!pending) return this.#ack(ctx.id, ctx.operator, 'rejected', 'nothing to confirm', intent);
    const now = this.#clock.wallMs();
    if (pending.ctx.expiresAt < now) {
      this.#ack(pending.ctx.id, ctx.operator, 'rejected', 'expired while waiting for confirmation', pending.intent);
      return this.#ack(ctx.id, ctx.operator, 'rejected', `${pending.ctx.id} expired before it was confirmed`, intent);
    }
    this.#ack(ctx.id, ctx.operator, 'done', undefined, intent);
    this.#execute(pending.intent, { ...pending.ctx, confirmed: true });
  }

  #releaseLatch(latch: LatchControl, intent: Intent, ctx: CommandContext): void {
    if (ctx.role !== 'supervisor') {
      return this.#ack(ctx.id, ctx.operator, 'rejected', `releasing the e-stop needs role supervisor (${ctx.operator} is ${ctx.role})`, intent);
    }
    const result = latch.reset({ operator: ctx.operator, role: 'supervisor' });
    if (!result.ok) return this.#ack(ctx.id, ctx.operator, 'rejected', result.refusal, intent);
    this.#ack(ctx.id, ctx.operator, 'done', 'e-stop released', intent);
    this.#deps.sendEvent?.({ type: 'estop-released', operator: ctx.operator, id: ctx.id });
  }

  #execute(intent: Intent, ctx: CommandContext): void {
    this.#ack(ctx.id, ctx.operator, 'accepted', undefined, intent);
    let running: Promise<ExecutionResult>;
    try {
      running = Promise.resolve(this.#deps.executive.handle(intent, ctx));
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (result) => {
        if (result === 'done') this.#ack(ctx.id, ctx.operator, 'done', undefined, intent);
        else if (typeof result === 'object' && result !== null) this.#ack(ctx.id, ctx.operator, result.status, result.reason, intent);
        else this.#ack(ctx.id, ctx.operator, 'failed', result === 'failed' ? undefined : `executive returned ${String(result)}`, intent);
      },
      (error: unknown) => this.#ack(ctx.id, ctx.operator, 'failed', `executive threw: ${(error as Error)?.message ?? String(error)}`, intent),
    );
  }

  #remember(sender: string, id: string): boolean {
    const key = `${sender}\u0000${id}`;
    if (this.#recentIds.has(key)) return false;
    this.#recentIds.add(key);
    if (this.#recentIds.size > this.#config.rememberIds) this.#recentIds.delete(this.#recentIds.values().next().value as string);
    return true;
  }

  #ack(id: string | null, operator: string, status: AckStatus, reason?: string, intent?: ParsedIntent): void {
    const ack: Ack = { id, status, operator, at: this.#clock.wallMs() };
    if (reason !== undefined) ack.reason = reason;
    if (intent !== undefined) ack.intent = intent;
    this.#deps.sendAck(ack);
  }

  /** Drops pending confirmations and their timers (without acks: the bridge is going away). */
  close(): void {
    this.#pending.clear();
  }
}
