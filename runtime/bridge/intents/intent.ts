// What an operator can ask for, by voice or text. The union is discriminated on `intent` so a switch over it is
// checked for exhaustiveness, and the JSON form is exactly what `armstack intent --json` prints.

export const COLORS = [
  'red', 'green', 'blue', 'yellow', 'orange', 'white', 'black', 'purple', 'pink', 'brown', 'grey',
] as const;
export type Color = (typeof COLORS)[number];

export const OBJECT_KINDS = ['box', 'cube', 'towel', 'cloth', 'bag', 'cardboard', 'bottle', 'ball'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export type GripperAction = 'open' | 'close';
export type LabelOutcome = 'success' | 'failure';

export interface EstopIntent { intent: 'estop' }
export interface PauseIntent { intent: 'pause' }
export interface ResumeIntent { intent: 'resume' }
export interface HomeIntent { intent: 'home' }
/** Either slot may be absent ("pick the towel", "pick up the red one"); absent slots are omitted, not null. */
export interface PickIntent { intent: 'pick'; color?: Color; object?: ObjectKind }
/** Bins are numbered from 1, as operators say them. */
export interface PlaceIntent { intent: 'place'; bin: number }
export interface GripperIntent { intent: 'gripper'; action: GripperAction }
export interface RecordStartIntent { intent: 'record_start' }
export interface RecordStopIntent { intent: 'record_stop' }
export interface LabelIntent { intent: 'label'; outcome: LabelOutcome }
export interface ConfirmIntent { intent: 'confirm' }
export interface CancelIntent { intent: 'cancel' }

/** Everything that is a command. */
export type Intent =
  | EstopIntent | PauseIntent | ResumeIntent | HomeIntent | PickIntent | PlaceIntent | GripperIntent
  | RecordStartIntent | RecordStopIntent | LabelIntent | ConfirmIntent | CancelIntent;

/** What was not understood, with a human-readable reason. */
export interface RejectIntent { intent: 'reject'; reason: string }

/** The result of parsing text or speech: a command, or a reject. */
export type ParsedIntent = Intent | RejectIntent;
export type IntentKind = ParsedIntent['intent'];

export const INTENT_KINDS: readonly IntentKind[] = [
  'estop', 'pause', 'resume', 'home', 'pick', 'place', 'gripper', 'record_start', 'record_stop', 'label',
  'confirm', 'cancel', 'reject',
];

const MOTION_KINDS: ReadonlySet<IntentKind> = new Set<IntentKind>(['pick', 'place', 'home', 'resume', 'gripper']);

/**
 * True for intents that make the arm move (so roles, confirmation and the e-stop latch must gate them).
 * `confirm` is not motion by itself: the executive re-checks the intent it confirms. `estop` and `pause` stop
 * motion and must never be gated like motion.
 */
export function isMotionIntent(intent: ParsedIntent): boolean {
  return MOTION_KINDS.has(intent.intent);
}

export function isReject(intent: ParsedIntent): intent is RejectIntent {
  return intent.intent === 'reject';
}
