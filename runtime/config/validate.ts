// One validator for everything that enters from outside (launch files, MQTT payloads, ws messages, CLI configs):
// TypeBox schemas compiled by Ajv, with errors that name the source and the field path.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Static, TSchema } from '@sinclair/typebox';
import { UserError } from '../errors.js';

const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: false, strict: false });
const compiled = new WeakMap<TSchema, ValidateFunction>();

export interface FieldIssue {
  /** JSON-pointer-like path with dots: `loop.rateHz`, `objects[2].id`; empty for the root. */
  path: string;
  message: string;
}

function compile(schema: TSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

function toDotted(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

function describe(error: ErrorObject): FieldIssue {
  let path = toDotted(error.instancePath);
  let message = error.message ?? 'is invalid';
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    path = path ? `${path}.${extra}` : extra;
    message = 'is not a known field';
  } else if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    path = path ? `${path}.${missing}` : missing;
    message = 'is required';
  } else if (error.keyword === 'enum') {
    message = `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return { path, message };
}

/** Checks a value; fills defaults in place. Returns the issues (first per path), empty when valid. */
export function checkValue(schema: TSchema, value: unknown): FieldIssue[] {
  const fn = compile(schema);
  if (fn(value)) return [];
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const error of fn.errors ?? []) {
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') continue;
    const issue = describe(error);
    if (seen.has(issue.path)) continue;
    seen.add(issue.path);
    issues.push(issue);
  }
  return issues.length ? issues : [{ path: '', message: 'is invalid' }];
}

/**
 * Validates or throws a UserError such as
 * `launch/sim.launch.yaml: loop.rateHz must be <= 1000 (line 12)`.
 * `locate` maps a dotted path to a line number when the source format knows it.
 */
export function validateOrThrow<S extends TSchema>(
  schema: S,
  value: unknown,
  source: string,
  locate?: (path: string) => number | undefined,
): Static<S> {
  const issues = checkValue(schema, value);
  if (issues.length === 0) return value as Static<S>;
  const lines = issues.map((issue) => {
    const line = locate?.(issue.path);
    const where = issue.path || '(root)';
    return `${source}: ${where} ${issue.message}${line ? ` (line ${line})` : ''}`;
  });
  throw new UserError(lines.join('\n'));
}
