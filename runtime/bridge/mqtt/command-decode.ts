// Bytes from the cmd topic -> a checked command and its intent, or a reason naming what is wrong. Never throws:
// every payload, however broken, gets an answer. Stop requests are recognised before the schema check, because a
// stop must stop even when the rest of the message is wrong.
import { checkValue, type FieldIssue } from '../../config/validate.js';
import { parseIntent } from '../intents/index.js';
import type { Intent, ParsedIntent } from '../intents/index.js';
import { CommandSchema, INTENT_SCHEMAS, MAX_COMMAND_BYTES, MAX_ID_CHARS, MAX_TEXT_CHARS, type Command, type StructuredIntentKind } from './schemas.js';

export type DecodedCommand =
  /** Well formed; `intent` is parsed from text or taken from the structured intent (may be a reject). */
  | { kind: 'valid'; command: Command; intent: ParsedIntent }
  /** A stop request, valid or not: the caller trips the e-stop first and asks questions later. */
  | { kind: 'stop'; id: string | null; text: string | undefined; issues: string | undefined }
  | { kind: 'invalid'; id: string | null; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const STRUCTURED_KINDS = Object.keys(INTENT_SCHEMAS) as StructuredIntentKind[];

function usableId(value: Record<string, unknown>): string | null {
  const id = value.id;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_CHARS ? id : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when the payload asks for an e-stop, by text (stop words) or by structured intent. */
function asksForStop(value: Record<string, unknown>, parsedText: ParsedIntent | undefined): boolean {
  if (parsedText?.intent === 'estop') return true;
  return isRecord(value.intent) && value.intent.intent === 'estop';
}

function formatIssues(issues: readonly FieldIssue[]): string {
  // A reason names every bad field but stays short enough for a headset to read out.
  const shown = issues.slice(0, 4).map((i) => (i.path ? `${i.path} ${i.message}` : `payload ${i.message}`));
  if (issues.length > 4) shown.push(`and ${issues.length - 4} more`);
  return shown.join('; ');
}

/** Reports a bad structured intent against its own kind's fields instead of every branch of the union. */
function intentIssues(intent: unknown): FieldIssue[] {
  if (!isRecord(intent)) return [{ path: 'intent', message: 'must be an object' }];
  const kind = intent.intent;
  if (typeof kind !== 'string' || !(STRUCTURED_KINDS as string[]).includes(kind)) {
    return [{ path: 'intent.intent', message: `must be one of ${STRUCTURED_KINDS.map((k) => JSON.stringify(k)).join(', ')}` }];
  }
  return checkValue(INTENT_SCHEMAS[kind as StructuredIntentKind], intent).map((i) => ({
    path: i.path ? `intent.${i.path}` : 'intent',
    message: i.message,
  }));
}

function schemaIssues(value: Record<string, unknown>): FieldIssue[] {
  const issues = checkValue(CommandSchema, value);
  if (issues.length === 0) return [];
  const others = issues.filter((i) => i.path !== 'intent' && !i.path.startsWith('intent.') && !i.path.startsWith('intent['));
  const inIntent = others.length === issues.length ? [] : intentIssues(value.intent);
  const all = [...others, ...inIntent];
  return all.length ? all : issues;
}

export function decodeCommand(payload: Uint8Array): DecodedCommand {
  if (payload.byteLength > MAX_COMMAND_BYTES) {
    return { kind: 'invalid', id: null, reason: `payload is ${payload.byteLength} bytes, more than the ${MAX_COMMAND_BYTES} allowed` };
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { kind: 'invalid', id: null, reason: 'payload is not UTF-8 text' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', id: null, reason: `payload is not valid JSON (${(error as Error).message.slice(0, 80)})` };
  }
  if (!isRecord(value)) return { kind: 'invalid', id: null, reason: 'payload must be a JSON object' };
  const id = usableId(value);

  const hasText = value.text !== undefined;
  const hasIntent = value.intent !== undefined;
  const shapeIssue: FieldIssue[] = hasText === hasIntent
    ? [{ path: 'text', message: hasText ? 'and intent are exclusive: send exactly one' : 'or intent is required' }]
    : [];

  // Parsed once (it is the costly step) and before validation, so stop words in a broken message still count.
  // Text over the limit is not parsed at all: no one says a thousand characters, and parsing 64 KiB takes ~10 ms.
  const parsedText = typeof value.text === 'string' && value.text.length <= MAX_TEXT_CHARS ? parseIntent(value.text) : undefined;
  if (asksForStop(value, parsedText)) {
    const issues = [...shapeIssue, ...(shapeIssue.length ? [] : schemaIssues(value))];
    return {
      kind: 'stop',
      id,
      text: typeof value.text === 'string' ? value.text : undefined,
      issues: issues.length ? formatIssues(issues) : undefined,
    };
  }
  if (shapeIssue.length) return { kind: 'invalid', id, reason: formatIssues(shapeIssue) };
  const issues = schemaIssues(value);
  if (issues.length) return { kind: 'invalid', id, reason: formatIssues(issues) };

  const command = value as Command;
  const intent: ParsedIntent = parsedText ?? (command.intent as Intent);
  return { kind: 'valid', command, intent };
}
