// The public face of the CDR codec: one codec per message type, driven by the descriptors in runtime/messages.
import type { KnownMessageType, MessageTypeMap } from '../registry.js';
import { messageDescriptor } from '../registry.js';
import { CdrError } from './cdr-error.js';
import type { DescriptorResolver, StructPlan } from './cdr-plan.js';
import { compileStructPlan } from './cdr-plan.js';
import { CdrReadFailure, CdrReader } from './cdr-reader.js';
import { validateStruct } from './cdr-validate.js';
import { CdrWriter, MISMATCH } from './cdr-writer.js';

export interface CdrCodec<T> {
  /** Full type name, `sensor_msgs/msg/JointState`. */
  readonly typeName: string;
  /** Encoded size in bytes, 4-byte encapsulation header included. Throws CdrError when `msg` does not match. */
  size(msg: T): number;
  /**
   * Encodes `msg` (header 00 01 00 00, then XCDR1 little-endian). Writes into `out` and returns the used part of it
   * when it is big enough, else returns a new array. Throws CdrError naming the field path when `msg` does not
   * match its type; `out` may then hold partial output.
   */
  write(msg: T, out?: Uint8Array): Uint8Array;
  /** Decodes bytes written by any ROS 2 CDR writer. Throws CdrError naming the field path on malformed bytes. */
  read(bytes: Uint8Array): T;
  /** Problems of `msg` against the type, each `JointState.position[3]: expected number, got string`; [] if none. */
  validate(msg: unknown): string[];
}

export interface CdrCodecOptions {
  /** Where descriptors come from; defaults to the registry (`messageDescriptor`). Tests pass their own types. */
  resolve?: DescriptorResolver;
}

/** A codec for `typeName` (`pkg/msg/Name` or `pkg/Name`). Throws for unknown types and unsupported fields. */
export function createCdrCodec<K extends KnownMessageType>(typeName: K, options?: CdrCodecOptions): CdrCodec<MessageTypeMap[K]>;
export function createCdrCodec(typeName: string, options?: CdrCodecOptions): CdrCodec<Record<string, unknown>>;
export function createCdrCodec(typeName: string, options: CdrCodecOptions = {}): CdrCodec<Record<string, unknown>> {
  const plan = compileStructPlan(typeName, options.resolve ?? messageDescriptor);
  return new DescriptorCdrCodec(plan);
}

const sharedCodecs = new Map<string, CdrCodec<Record<string, unknown>>>();

/**
 * The shared codec of a registry type, built on first use. Codecs hold scratch state but every call is synchronous,
 * so sharing one per type is safe.
 */
export function cdrCodecFor<K extends KnownMessageType>(typeName: K): CdrCodec<MessageTypeMap[K]>;
export function cdrCodecFor(typeName: string): CdrCodec<Record<string, unknown>>;
export function cdrCodecFor(typeName: string): CdrCodec<Record<string, unknown>> {
  let codec = sharedCodecs.get(typeName);
  if (codec === undefined) {
    codec = createCdrCodec(typeName);
    sharedCodecs.set(typeName, codec);
  }
  return codec;
}

class DescriptorCdrCodec implements CdrCodec<Record<string, unknown>> {
  readonly typeName: string;
  readonly #plan: StructPlan;
  readonly #writer: CdrWriter;
  readonly #reader: CdrReader;

  constructor(plan: StructPlan) {
    this.typeName = plan.typeName;
    this.#plan = plan;
    this.#writer = new CdrWriter(plan);
    this.#reader = new CdrReader(plan);
  }

  size(msg: Record<string, unknown>): number {
    try {
      return this.#writer.size(msg);
    } catch (e) {
      throw this.#mismatchError('size', msg, e);
    }
  }

  write(msg: Record<string, unknown>, out?: Uint8Array): Uint8Array {
    try {
      const size = this.#writer.size(msg);
      const bytes = out !== undefined && out.byteLength >= size ? out.subarray(0, size) : new Uint8Array(size);
      this.#writer.write(msg, bytes, size);
      return bytes;
    } catch (e) {
      throw this.#mismatchError('write', msg, e);
    }
  }

  read(bytes: Uint8Array): Record<string, unknown> {
    try {
      return this.#reader.read(bytes);
    } catch (e) {
      if (!(e instanceof CdrReadFailure)) throw e;
      const path = e.segments.length > 0 ? this.#plan.shortName + e.segments.join('') : undefined;
      const where = path === undefined ? '' : `${path}: `;
      throw new CdrError(`CdrCodec#read(${this.typeName}): ${where}${e.reason}`, path);
    }
  }

  validate(msg: unknown): string[] {
    return validateStruct(this.#plan, msg);
  }

  #mismatchError(method: string, msg: unknown, cause: unknown): unknown {
    if (cause !== MISMATCH) return cause;
    const [problem] = validateStruct(this.#plan, msg, 1);
    if (problem === undefined) {
      return new Error(`CdrCodec#${method}(${this.typeName}): the writer refused a value the validator accepts (a bug)`);
    }
    const path = problem.slice(0, problem.indexOf(':'));
    return new CdrError(`CdrCodec#${method}(${this.typeName}): ${problem}`, path);
  }
}
