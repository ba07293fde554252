// The control half of the `armstack.v1` wire protocol: who you are, who drives the arm, the safety state, and
// the operator's commands (teleop, gripper, speed, e-stop). Kept apart from protocol.ts so the streams and the
// commands can grow independently; protocol.ts folds these into its unions. Types and a pure validator only.
import type { PoseWire, Vec3Wire } from './protocol.js';
import { describe, isRecord } from './wire-checks.js';

export type DashboardRole = 'viewer' | 'operator' | 'supervisor';

/** Bound on numbers a client may send for a joint vector: no arm here has more joints. */
export const MAX_JOG_JOINTS = 16;
/** Bound on a free-text reason, in characters. */
export const MAX_REASON_CHARS = 200;
/** Speed scaling is a fraction of the URDF velocity limits; never zero (a stopped arm is the e-stop's job). */
export const MIN_SPEED_SCALE = 0.01;
/** Gizmo targets beyond this distance from the base are typos, not targets. */
export const MAX_POSE_RADIUS_M = 5;

// ---- server -> client ----------------------------------------------------------------------------------

/** Who this connection is, sent once after `hello`. `role` decides what the page offers; the server enforces it. */
export interface IdentityMsg {
  op: 'identity';
  user: string;
  role: DashboardRole;
  /** Epoch ms at which the session ends; the page shows the login again after it. */
  expiresAtMs: number;
}

/** Who holds teleop control; sent on connect and whenever it changes. */
export interface ControlMsg {
  op: 'control';
  /** Username of the operator driving the arm, or null while the autonomous source drives. */
  owner: string | null;
  /** True on the owner's own connection(s). */
  you: boolean;
  /** Order of `jog_joint.velocity` and of `commanded.position`'s arm part. */
  armJoints: string[];
  gripperJoint: string;
  speedScale: number;
}

/** The safety state for the banner; sent on connect and on change. */
export interface SafetyMsg {
  op: 'safety';
  estop: boolean;
  /** `dashboard:alice`, `mqtt`, ... while latched. */
  estopSource: string | null;
  estopReason: string | null;
  /** The command watchdog holds the arm (stale commands, overruns). */
  watchdogHolding: boolean;
  holdReason: string | null;
  /** Safety rules the last command hit (e.g. velocity, workspace); empty when it passed untouched. */
  limits: string[];
  /** What the last command came to: pass, clamped, reject, estopped, or idle (no command this tick). */
  lastAction: string;
}

/** The last command written to the arm (the ghost), in `control.armJoints` order then the gripper. */
export interface CommandedMsg {
  op: 'commanded';
  position: number[];
}

export interface CameraGeometryWire {
  name: string;
  /** Pinhole intrinsics in pixels (OpenCV convention: optical frame x right, y down, z forward). */
  intrinsics: { width: number; height: number; fx: number; fy: number; cx: number; cy: number };
  /** A fixed camera: its optical frame in the base frame. */
  poseInBase?: PoseWire;
  /** A camera riding on an arm link (the wrist camera): its optical frame in that link's frame. */
  mount?: { link: string; poseInLink: PoseWire };
}

/** What the 3D view draws besides the arm and the scene; sent once after `identity`. */
export interface ViewGeometryMsg {
  op: 'view_geometry';
  /** The safety filter's box for the tool centre point, base frame; null when unchecked. */
  workspace: { min: Vec3Wire; max: Vec3Wire } | null;
  cameras: CameraGeometryWire[];
  /** The URDF link whose pose goto_pose targets (the tool centre point). */
  toolLink: string;
}

/** The towel's particle grid (row-major, rows × cols points, base frame, m), at most 10 Hz, newest only. */
export interface ClothMsg {
  op: 'cloth';
  rows: number;
  cols: number;
  /** x y z per particle, rounded to 0.1 mm. */
  positions: number[];
}

export type ControlServerMessage = IdentityMsg | ControlMsg | SafetyMsg | CommandedMsg | ViewGeometryMsg | ClothMsg;

// ---- client -> server ----------------------------------------------------------------------------------

export interface TakeControlMsg {
  op: 'take_control';
  /** Supervisors only: take control from another operator. */
  force?: boolean;
}
export interface ReleaseControlMsg { op: 'release_control' }
/**
 * Dead-man jog: each message keeps the arm moving for one watchdog period only, so the page sends it at
 * 20–30 Hz while a key or button is held. `velocity[i]` in [-1, 1] is a fraction of joint i's velocity limit
 * (times the speed scale), in `control.armJoints` order.
 */
export interface JogJointMsg { op: 'jog_joint'; velocity: number[] }
/** Dead-man Cartesian jog of the tool, base frame: components in [-1, 1] of the linear/angular jog speed. */
export interface JogCartesianMsg { op: 'jog_cartesian'; linear: Vec3Wire; angular: Vec3Wire }
/** Dead-man move towards a tool pose (the gizmo), solved by IK on the robot; sent while the gizmo is dragged. */
export interface GotoPoseMsg { op: 'goto_pose'; pose: PoseWire }
/** Dead-man gripper motion: sent while the button is held. */
export interface GripperMsg { op: 'gripper'; action: 'open' | 'close' }
export interface SpeedMsg { op: 'speed'; scale: number }
export interface EstopMsg { op: 'estop'; reason?: string }
export interface EstopResetMsg { op: 'estop_reset' }

export type ControlClientMessage =
  | TakeControlMsg | ReleaseControlMsg | JogJointMsg | JogCartesianMsg | GotoPoseMsg | GripperMsg | SpeedMsg
  | EstopMsg | EstopResetMsg;

/** Ops that move the arm or change how it moves: refused for viewers and for anyone not holding control. */
export const MOTION_OPS = ['jog_joint', 'jog_cartesian', 'goto_pose', 'gripper', 'speed'] as const;
export const CONTROL_OPS = [...MOTION_OPS, 'take_control', 'release_control', 'estop', 'estop_reset'] as const;
export type ControlOp = (typeof CONTROL_OPS)[number];

export type ControlParse = { ok: true; msg: ControlClientMessage } | { ok: false; error: string };


function extraField(obj: Record<string, unknown>, allowed: readonly string[], where: string): string | undefined {
  for (const key of Object.keys(obj)) if (!allowed.includes(key)) return `${where}: unknown field '${key.slice(0, 40)}'`;
  return undefined;
}

function unitNumber(v: unknown, where: string): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${where} must be a finite number, got ${describe(v)}`;
  if (v < -1 || v > 1) return `${where} must be within [-1, 1], got ${v}`;
  return undefined;
}

function finite(v: unknown, where: string, bound: number): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${where} must be a finite number, got ${describe(v)}`;
  if (Math.abs(v) > bound) return `${where} must be within ±${bound}, got ${v}`;
  return undefined;
}

function vec3(v: unknown, where: string, check: (x: unknown, w: string) => string | undefined): string | undefined {
  if (!isRecord(v)) return `${where} must be an object {x, y, z}, got ${describe(v)}`;
  const extra = extraField(v, ['x', 'y', 'z'], where);
  if (extra) return extra;
  for (const k of ['x', 'y', 'z'] as const) {
    const e = check(v[k], `${where}.${k}`);
    if (e) return e;
  }
  return undefined;
}

function pose(v: unknown, where: string): string | undefined {
  if (!isRecord(v)) return `${where} must be an object {position, orientation}, got ${describe(v)}`;
  const extra = extraField(v, ['position', 'orientation'], where);
  if (extra) return extra;
  const p = vec3(v.position, `${where}.position`, (x, w) => finite(x, w, MAX_POSE_RADIUS_M));
  if (p) return p;
  const q = v.orientation;
  if (!isRecord(q)) return `${where}.orientation must be an object {x, y, z, w}, got ${describe(q)}`;
  const qe = extraField(q, ['x', 'y', 'z', 'w'], `${where}.orientation`);
  if (qe) return qe;
  for (const k of ['x', 'y', 'z', 'w'] as const) {
    const e = finite(q[k], `${where}.orientation.${k}`, 2);
    if (e) return e;
  }
  const norm = Math.hypot(q.x as number, q.y as number, q.z as number, q.w as number);
  if (norm < 0.5) return `${where}.orientation must be a unit quaternion, its norm is ${norm.toFixed(3)}`;
  return undefined;
}

const fail = (error: string): ControlParse => ({ ok: false, error });

/** Validates one control op (value.op is one of CONTROL_OPS). Never throws; the error names the field at fault. */
export function validateControlMessage(value: Record<string, unknown>, op: ControlOp): ControlParse {
  switch (op) {
    case 'take_control': {
      const extra = extraField(value, ['op', 'force'], op);
      if (extra) return fail(extra);
      if (value.force !== undefined && typeof value.force !== 'boolean') return fail(`take_control.force must be a boolean, got ${describe(value.force)}`);
      return { ok: true, msg: value.force ? { op, force: true } : { op } };
    }
    case 'release_control':
    case 'estop_reset': {
      const extra = extraField(value, ['op'], op);
      return extra ? fail(extra) : { ok: true, msg: { op } };
    }
    case 'jog_joint': {
      const extra = extraField(value, ['op', 'velocity'], op);
      if (extra) return fail(extra);
      const v = value.velocity;
      if (!Array.isArray(v)) return fail(`jog_joint.velocity must be an array, got ${describe(v)}`);
      if (v.length === 0 || v.length > MAX_JOG_JOINTS) return fail(`jog_joint.velocity must hold 1..${MAX_JOG_JOINTS} numbers, got ${v.length}`);
      for (let i = 0; i < v.length; i++) {
        const e = unitNumber(v[i], `jog_joint.velocity[${i}]`);
        if (e) return fail(e);
      }
      return { ok: true, msg: { op, velocity: v as number[] } };
    }
    case 'jog_cartesian': {
      const extra = extraField(value, ['op', 'linear', 'angular'], op);
      if (extra) return fail(extra);
      const e = vec3(value.linear, 'jog_cartesian.linear', unitNumber) ?? vec3(value.angular, 'jog_cartesian.angular', unitNumber);
      if (e) return fail(e);
      const l = value.linear as Vec3Wire, a = value.angular as Vec3Wire;
      return { ok: true, msg: { op, linear: { x: l.x, y: l.y, z: l.z }, angular: { x: a.x, y: a.y, z: a.z } } };
    }
    case 'goto_pose': {
      const extra = extraField(value, ['op', 'pose'], op);
      if (extra) return fail(extra);
      const e = pose(value.pose, 'goto_pose.pose');
      if (e) return fail(e);
      const p = value.pose as PoseWire;
      return {
        ok: true,
        msg: { op, pose: { position: { ...p.position }, orientation: { ...p.orientation } } },
      };
    }
    case 'gripper': {
      const extra = extraField(value, ['op', 'action'], op);
      if (extra) return fail(extra);
      if (value.action !== 'open' && value.action !== 'close') {
        return fail(`gripper.action must be "open" or "close", got ${JSON.stringify(value.action)?.slice(0, 40) ?? describe(value.action)}`);
      }
      return { ok: true, msg: { op, action: value.action } };
    }
    case 'speed': {
      const extra = extraField(value, ['op', 'scale'], op);
      if (extra) return fail(extra);
      const s = value.scale;
      if (typeof s !== 'number' || !Number.isFinite(s) || s < MIN_SPEED_SCALE || s > 1) {
        return fail(`speed.scale must be a number within [${MIN_SPEED_SCALE}, 1], got ${typeof s === 'number' ? s : describe(s)}`);
      }
      return { ok: true, msg: { op, scale: s } };
    }
    case 'estop': {
      const extra = extraField(value, ['op', 'reason'], op);
      if (extra) return fail(extra);
      const r = value.reason;
      if (r === undefined) return { ok: true, msg: { op } };
      if (typeof r !== 'string') return fail(`estop.reason must be a string, got ${describe(r)}`);
      // An e-stop is honoured even with a silly reason: it is cut, never refused.
      return { ok: true, msg: { op, reason: r.slice(0, MAX_REASON_CHARS) } };
    }
  }
}

export function isControlOp(op: string): op is ControlOp {
  return (CONTROL_OPS as readonly string[]).includes(op);
}
