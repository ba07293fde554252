// Wire payloads of the MQTT topic API as TypeBox schemas. The code validates with these and write-schemas.ts writes
// the same definitions to schemas/*.json, so what ships to clients cannot drift from what the bridge checks.
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { COLORS, OBJECT_KINDS, MAX_BIN } from '../intents/index.js';
import type { Intent, ParsedIntent } from '../intents/index.js';
import { NAME_PATTERN } from './topics.js';

/** Commands larger than this are refused before they are parsed. */
export const MAX_COMMAND_BYTES = 64 * 1024;
/** A command may not ask to stay valid longer than this. */
export const MAX_TTL_MS = 300_000;
export const MAX_TEXT_CHARS = 1000;
export const MAX_ID_CHARS = 128;

const EpochMs = (description: string): ReturnType<typeof Type.Integer> =>
  Type.Integer({ minimum: 0, description: `${description} (epoch milliseconds)` });
const Name = (description: string): ReturnType<typeof Type.String> => Type.String({ pattern: NAME_PATTERN, description });
const closed = { additionalProperties: false } as const;

/** A string enum as JSON Schema `enum`, so errors read "must be one of ..." rather than one per literal. */
export function StringEnum<T extends string>(values: readonly T[], options: { description?: string } = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

const bare = <K extends string>(kind: K) => Type.Object({ intent: Type.Literal(kind) }, closed);

/** One schema per intent kind, so a bad structured intent is reported against its own fields. */
export const INTENT_SCHEMAS = {
  estop: bare('estop'),
  pause: bare('pause'),
  resume: bare('resume'),
  home: bare('home'),
  pick: Type.Object(
    {
      intent: Type.Literal('pick'),
      color: Type.Optional(StringEnum(COLORS)),
      object: Type.Optional(StringEnum(OBJECT_KINDS)),
    },
    closed,
  ),
  place: Type.Object({ intent: Type.Literal('place'), bin: Type.Integer({ minimum: 1, maximum: MAX_BIN }) }, closed),
  gripper: Type.Object(
    { intent: Type.Literal('gripper'), action: StringEnum(['open', 'close'] as const) },
    closed,
  ),
  record_start: bare('record_start'),
  record_stop: bare('record_stop'),
  label: Type.Object(
    { intent: Type.Literal('label'), outcome: StringEnum(['success', 'failure'] as const) },
    closed,
  ),
  confirm: bare('confirm'),
  cancel: bare('cancel'),
} as const;

export type StructuredIntentKind = keyof typeof INTENT_SCHEMAS;

export const IntentSchema = Type.Union(Object.values(INTENT_SCHEMAS), {
  description: 'A structured command, discriminated on `intent` (the same JSON as `armstack intent --json`).',
});
const RejectIntentSchema = Type.Object({ intent: Type.Literal('reject'), reason: Type.String() }, closed);
export const ParsedIntentSchema = Type.Union([...Object.values(INTENT_SCHEMAS), RejectIntentSchema]);

export const CommandSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: MAX_ID_CHARS, description: 'Chosen by the sender, unique per sender; echoed in every ack' }),
    operator: Name('Must equal the username the sender authenticated with (the last level of the cmd topic)'),
    text: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_TEXT_CHARS, description: 'Free text or a transcript, parsed into an intent' })),
    intent: Type.Optional(IntentSchema),
    issuedAt: EpochMs('When the operator issued it'),
    ttlMs: Type.Integer({ minimum: 0, maximum: MAX_TTL_MS, description: 'Never executed after issuedAt + ttlMs (stop words excepted: a stale stop still stops)' }),
    confirm: Type.Optional(Type.Boolean({ description: 'Confirms a motion command in the same message, where the bridge allows that' })),
  },
  {
    ...closed,
    title: 'armstack command',
    description: 'Operator -> robot on {prefix}cmd/{username}. Exactly one of text or intent.',
    oneOf: [{ required: ['text'] }, { required: ['intent'] }],
  },
);
export type Command = Static<typeof CommandSchema>;

/** `pending` means a motion command waits for a `confirm` from the same operator (see CommandBridgeConfig). */
export const ACK_STATUSES = ['accepted', 'pending', 'rejected', 'done', 'failed'] as const;
export type AckStatus = (typeof ACK_STATUSES)[number];

export const AckSchema = Type.Object(
  {
    id: Type.Union([Type.String(), Type.Null()], { description: 'The command id, or null when the payload had no usable id' }),
    status: StringEnum(ACK_STATUSES),
    reason: Type.Optional(Type.String({ description: 'Why rejected or failed, naming the field: "ttlMs must be >= 0"' })),
    intent: Type.Optional(ParsedIntentSchema),
    operator: Type.Optional(Type.String({ description: 'The authenticated sender (from the topic)' })),
    at: EpochMs('When the bridge sent this ack'),
  },
  { ...closed, title: 'armstack command ack', description: 'Robot -> operators on {prefix}cmd/ack' },
);
export type Ack = Static<typeof AckSchema>;

export const ROBOT_MODES = ['idle', 'running', 'paused', 'estopped', 'teleop'] as const;
export type RobotMode = (typeof ROBOT_MODES)[number];

export const StateSchema = Type.Object(
  {
    mode: StringEnum(ROBOT_MODES),
    task: Type.Union([Type.String(), Type.Null()], { description: 'What the executive is doing, e.g. "pick red box"' }),
    safety: Type.Object(
      { estop: Type.Boolean(), holding: Type.Boolean(), reason: Type.Optional(Type.String()) },
      closed,
    ),
    loopRateHz: Type.Number({ minimum: 0 }),
    recording: Type.Boolean(),
    alerts: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 32, description: 'Conditions an operator should look at, e.g. "camera overhead stalled"' })),
    dashboardUrl: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 500, description: 'The dashboard that serves this robot, for fleet views to link to' })),
    seq: Type.Integer({ minimum: 0, description: 'Increments with every state message of this bridge process' }),
    at: EpochMs('When the state was published'),
  },
  { ...closed, title: 'armstack robot state', description: 'Retained, robot -> all on {prefix}state' },
);
export type RobotState = Static<typeof StateSchema>;

export const EventSchema = Type.Object(
  {
    type: Type.String({ minLength: 1, description: 'e.g. "estop", "command", "confirm-timeout", "presence"' }),
    message: Type.Optional(Type.String()),
    operator: Type.Optional(Type.String()),
    id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    at: EpochMs('When it happened'),
  },
  { ...closed, title: 'armstack robot event', description: 'Robot -> all on {prefix}events (not retained)' },
);
export type RobotEvent = Static<typeof EventSchema>;

export const PresenceSchema = Type.Object(
  {
    online: Type.Boolean(),
    bdSeq: Type.Integer({ minimum: 0, description: 'Birth/death sequence: a death belongs to the birth with the same bdSeq' }),
    at: EpochMs('Birth: when connected; death: when the will was registered, i.e. the start of the dead session'),
  },
  {
    ...closed,
    title: 'armstack presence',
    description: 'Retained on {prefix}presence. Birth on connect, the MQTT will (online:false, same bdSeq) on death; '
      + 'a death whose bdSeq is lower than the last birth is stale and must be ignored.',
  },
);
export type Presence = Static<typeof PresenceSchema>;

export const TranscriptSchema = Type.Object(
  {
    utteranceId: Type.String({ minLength: 1, maxLength: MAX_ID_CHARS }),
    operator: Type.String(),
    text: Type.String({ maxLength: MAX_TEXT_CHARS }),
    final: Type.Boolean(),
    confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    intent: Type.Optional(ParsedIntentSchema),
    at: EpochMs('When recognized'),
  },
  { ...closed, title: 'armstack voice transcript', description: 'Robot -> all on {prefix}voice/transcript' },
);
export type Transcript = Static<typeof TranscriptSchema>;

/** Everything write-schemas.ts writes, by file name. */
export const WIRE_SCHEMAS: Readonly<Record<string, TSchema>> = {
  'cmd.json': CommandSchema,
  'cmd-ack.json': AckSchema,
  'state.json': StateSchema,
  'events.json': EventSchema,
  'presence.json': PresenceSchema,
  'voice-transcript.json': TranscriptSchema,
  'intent.json': IntentSchema,
};

// The TypeBox intents and the intents module's types must describe the same JSON, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const intentsAgree: Same<Static<typeof IntentSchema>, Intent> = true;
const parsedAgree: Same<Static<typeof ParsedIntentSchema>, ParsedIntent> = true;
void intentsAgree;
void parsedAgree;
