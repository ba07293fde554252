// A node's parameters: declaration with overrides, schema validation, veto callbacks and change listeners.
// Backend-neutral, so a later rclnodejs backend can keep the same rules while mirroring values to rcl.
import { UserError } from '../errors.js';
import { parameterNameError } from './names.js';
import type { ParamSchema, Parameter, SetParameterResult } from './types.js';

type ParamValue = string | number | boolean;
type OnSetCallback = (name: string, value: unknown) => SetParameterResult;

interface Declared {
  value: ParamValue;
  readonly schema: ParamSchema;
  readonly listeners: Set<(value: never, old: never) => void>;
}

const OK: SetParameterResult = Object.freeze({ successful: true, reason: '' });

function describeValue(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Why `value` breaks `schema` (ignoring readOnly), or undefined if it fits. */
export function schemaViolation(schema: ParamSchema, value: unknown): string | undefined {
  switch (schema.type) {
    case 'boolean':
      if (typeof value !== 'boolean') return `expected a boolean, got ${typeof value} ${describeValue(value)}`;
      break;
    case 'string':
      if (typeof value !== 'string') return `expected a string, got ${typeof value} ${describeValue(value)}`;
      break;
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || Number.isNaN(value)) {
        return `expected ${schema.type === 'integer' ? 'an integer' : 'a number'}, got ${typeof value} ${describeValue(value)}`;
      }
      if (schema.type === 'integer' && !Number.isInteger(value)) return `expected an integer, got ${value}`;
      if (schema.min !== undefined && value < schema.min) return `${value} is below the minimum ${schema.min}`;
      if (schema.max !== undefined && value > schema.max) return `${value} is above the maximum ${schema.max}`;
      break;
  }
  if (schema.enum !== undefined && !schema.enum.includes(value as string | number)) {
    return `${describeValue(value)} is not one of ${schema.enum.map(describeValue).join(', ')}`;
  }
  return undefined;
}

function inferSchema(defaultValue: ParamValue): ParamSchema {
  const type = typeof defaultValue;
  if (type === 'number' || type === 'string' || type === 'boolean') return { type };
  return { type: 'string' }; // unreachable for well-typed callers; the default then fails validation
}

export class ParameterStore {
  readonly #declared = new Map<string, Declared>();
  readonly #onSet: OnSetCallback[] = [];

  constructor(
    /** `ClassName` used in thrown errors, e.g. `InProcNode`. */
    readonly owner: string,
    readonly nodeName: string,
    readonly overrides: Readonly<Record<string, unknown>>,
    readonly reportError: (error: unknown, where: string) => void,
  ) {}

  #label(name: string): string {
    return `parameter "${name}" on node "${this.nodeName}"`;
  }

  declare<T extends ParamValue>(name: string, defaultValue: T, schema?: ParamSchema): Parameter<T> {
    const where = `${this.owner}#declareParameter`;
    const nameError = parameterNameError(name);
    if (nameError !== undefined) throw new Error(`${where}: invalid parameter name "${name}": ${nameError}`);
    if (this.#declared.has(name)) throw new Error(`${where}: ${this.#label(name)} is already declared`);
    const effectiveSchema = schema ?? inferSchema(defaultValue);
    const defaultError = schemaViolation(effectiveSchema, defaultValue);
    if (defaultError !== undefined) {
      throw new Error(`${where}: default of ${this.#label(name)} breaks its schema: ${defaultError}`);
    }
    let value: ParamValue = defaultValue;
    if (Object.hasOwn(this.overrides, name)) {
      const override = this.overrides[name];
      const overrideError = schemaViolation(effectiveSchema, override);
      if (overrideError !== undefined) {
        throw new UserError(`node "${this.nodeName}": override of parameter "${name}" is invalid: ${overrideError}`);
      }
      value = override as ParamValue;
    }
    const declared: Declared = { value, schema: effectiveSchema, listeners: new Set() };
    this.#declared.set(name, declared);
    return {
      name,
      get: () => declared.value as T,
      set: (newValue: T) => this.set(name, newValue),
      onChange: (cb: (value: T, old: T) => void) => {
        const listener = cb as (value: never, old: never) => void;
        declared.listeners.add(listener);
        return () => declared.listeners.delete(listener);
      },
    };
  }

  has(name: string): boolean {
    return this.#declared.has(name);
  }

  get(name: string): unknown {
    const declared = this.#declared.get(name);
    if (declared === undefined) throw new Error(`${this.owner}#getParameter: ${this.#label(name)} is not declared`);
    return declared.value;
  }

  set(name: string, value: unknown): SetParameterResult {
    const declared = this.#declared.get(name);
    if (declared === undefined) return { successful: false, reason: `${this.#label(name)} is not declared` };
    if (declared.schema.readOnly === true) return { successful: false, reason: `${this.#label(name)} is read-only` };
    const violation = schemaViolation(declared.schema, value);
    if (violation !== undefined) return { successful: false, reason: `${this.#label(name)}: ${violation}` };
    for (const cb of [...this.#onSet]) {
      let result: SetParameterResult;
      try {
        result = cb(name, value);
      } catch (error) {
        result = { successful: false, reason: `on-set callback threw: ${error instanceof Error ? error.message : String(error)}` };
      }
      if (!result.successful) {
        return { successful: false, reason: `${this.#label(name)} was vetoed: ${result.reason || 'no reason given'}` };
      }
    }
    const old = declared.value;
    declared.value = value as ParamValue;
    if (!Object.is(old, value)) {
      for (const listener of [...declared.listeners]) {
        try {
          (listener as (value: unknown, old: unknown) => void)(value, old);
        } catch (error) {
          this.reportError(error, `onChange listener of ${this.#label(name)}`);
        }
      }
    }
    return OK;
  }

  addOnSetCallback(cb: OnSetCallback): () => void {
    this.#onSet.push(cb);
    return () => {
      const index = this.#onSet.indexOf(cb);
      if (index >= 0) this.#onSet.splice(index, 1);
    };
  }

  clear(): void {
    this.#declared.clear();
    this.#onSet.length = 0;
  }
}
