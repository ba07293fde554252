// The dashboard's side of control: roles, who holds teleop, and the pushes of safety state, the commanded pose
// and control ownership. The robot side (RobotControl) does the motion; this only decides who may ask.
//
// Control passing: the autonomous source (policy, scripted expert, MQTT executive) drives until an operator
// sends `take_control`; from then on the robot's TeleopSource drives and only that operator's motion messages
// count. `release_control`, or the owner's last connection closing, hands back. A supervisor may take control
// from another operator with `force`. The e-stop is not motion: any operator or supervisor may pull it,
// whether or not they hold control, and it reaches the latch inside this call.
import type {
  ClothMsg, ControlClientMessage, ControlMsg, CommandedMsg, DashboardRole, SafetyMsg, ViewGeometryMsg,
} from './control-protocol.js';
import { MOTION_OPS } from './control-protocol.js';
import type { PoseWire, ServerMessage, StatusLevel, Vec3Wire } from './protocol.js';

export type SafetySnapshot = Omit<SafetyMsg, 'op'>;

/** What the robot offers the dashboard (launch/stack-teleop.ts on the sim stack). */
export interface RobotControl {
  readonly armJoints: readonly string[];
  readonly gripperJoint: string;
  readonly speedScale: number;
  /** Trips the e-stop latch; the arm is held before this returns. */
  estop(source: string, reason: string): void;
  resetEstop(by: { operator: string; role: DashboardRole }): { ok: true } | { ok: false; refusal: string };
  /** Teleop takes over from the autonomous source / hands back to it. */
  engage(user: string): void;
  disengage(user: string): void;
  /** Motion inputs, each valid for one dead-man period. An error string when refused (e.g. wrong length). */
  jogJoint(velocity: readonly number[]): string | undefined;
  jogCartesian(linear: Vec3Wire, angular: Vec3Wire): string | undefined;
  gotoPose(pose: PoseWire): string | undefined;
  gripper(action: 'open' | 'close'): string | undefined;
  setSpeed(scale: number): void;
  safety(): SafetySnapshot;
  /** The last command written to the arm, command-joint order; null before the first. */
  commanded(): ArrayLike<number> | null;
  /** Workspace box, cameras and tool link for the 3D view. */
  geometry?(): Omit<ViewGeometryMsg, 'op'>;
  /** The towel's particles now, when the scene has one. */
  cloth?(): { rows: number; cols: number; positions: ArrayLike<number> } | undefined;
}

/** Cloth pushes per state push: 30 Hz state, 10 Hz cloth (a towel is ~1k numbers a frame). */
const CLOTH_EVERY = 3;

/** One browser connection as the handler sees it. */
export interface ControlPeer {
  readonly id: number;
  readonly user: string;
  readonly role: DashboardRole;
  /** Bytes waiting in the socket: pushes skip a peer that is backed up, so memory stays bounded. */
  readonly bufferedAmount: number;
  send(msg: ServerMessage, droppable: boolean): void;
  /** An already-encoded server message, sent as is. */
  sendText(text: string): void;
  /** False once the login behind this connection has expired. */
  live(): boolean;
  close(code: number, reason: string): void;
}

interface PeerState {
  sentCloth: string;
  sentSafety: string;
  sentCommanded: string;
  sentControl: string;
}

export interface TeleopHandlerConfig {
  /** Push rate of safety/commanded/control (default 30 Hz). */
  rateHz?: number;
  maxBufferedBytes?: number;
  log?: (level: StatusLevel, message: string) => void;
}

const MOTION: readonly string[] = MOTION_OPS;

export class TeleopHandler {
  readonly #control: RobotControl;
  readonly #peers = new Map<ControlPeer, PeerState>();
  readonly #rateHz: number;
  readonly #maxBuffered: number;
  readonly #log: (level: StatusLevel, message: string) => void;
  #owner: string | null = null;
  #pushes = 0;
  #clothText = '';
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(control: RobotControl, config: TeleopHandlerConfig = {}) {
    this.#control = control;
    this.#rateHz = config.rateHz ?? 30;
    this.#maxBuffered = config.maxBufferedBytes ?? 1 << 20;
    this.#log = config.log ?? (() => undefined);
  }

  get owner(): string | null { return this.#owner; }

  attach(peer: ControlPeer): void {
    this.#peers.set(peer, { sentSafety: '', sentCommanded: '', sentControl: '', sentCloth: '' });
    const geometry = this.#control.geometry?.();
    if (geometry) peer.send({ op: 'view_geometry', ...geometry }, false);
    this.#pushAll();
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#pushAll(), 1000 / this.#rateHz);
      this.#timer.unref?.();
    }
  }

  detach(peer: ControlPeer): void {
    this.#peers.delete(peer);
    if (this.#owner !== null && ![...this.#peers.keys()].some((p) => p.user === this.#owner)) {
      // The dead-man has already stopped the arm (no jogs); this hands the arm back to the autonomous source.
      this.#log('warn', `${this.#owner} disconnected while holding control; control released`);
      this.#release();
    }
    if (this.#peers.size === 0) this.stop();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Handles one validated control message; every refusal is an error status and a log line. */
  handle(peer: ControlPeer, msg: ControlClientMessage): void {
    if (!peer.live()) {
      peer.send({ op: 'status', level: 'error', message: 'session expired: log in again' }, false);
      peer.close(4001, 'session expired');
      return;
    }
    if (peer.role === 'viewer') {
      this.#refuse(peer, `${msg.op} refused: ${peer.user} is a viewer (viewers cannot move or stop the arm)`);
      return;
    }
    switch (msg.op) {
      case 'estop': {
        const reason = msg.reason || 'dashboard e-stop';
        this.#control.estop(`dashboard:${peer.user}`, reason);
        this.#log('warn', `e-stop by ${peer.user}: ${reason}`);
        this.#pushAll();
        peer.send({ op: 'status', level: 'warn', message: `e-stop latched by ${peer.user}` }, true);
        return;
      }
      case 'estop_reset': {
        const r = this.#control.resetEstop({ operator: peer.user, role: peer.role });
        if (!r.ok) {
          this.#refuse(peer, r.refusal);
          return;
        }
        this.#log('info', `e-stop released by ${peer.user}`);
        this.#pushAll();
        peer.send({ op: 'status', level: 'info', message: `e-stop released by ${peer.user}` }, true);
        return;
      }
      case 'take_control': {
        if (this.#owner !== null && this.#owner !== peer.user) {
          if (!(msg.force && peer.role === 'supervisor')) {
            this.#refuse(peer, `take_control refused: ${this.#owner} holds control${peer.role === 'supervisor' ? ' (send force to take it over)' : ''}`);
            return;
          }
          this.#log('warn', `${peer.user} took control over from ${this.#owner}`);
        }
        if (this.#owner !== peer.user) {
          this.#owner = peer.user;
          this.#control.engage(peer.user);
          this.#log('info', `${peer.user} took control`);
        }
        this.#pushAll();
        peer.send({ op: 'status', level: 'info', message: `${peer.user} has control` }, true);
        return;
      }
      case 'release_control': {
        if (this.#owner !== peer.user) {
          this.#refuse(peer, `release_control refused: ${peer.user} does not hold control`);
          return;
        }
        this.#release();
        peer.send({ op: 'status', level: 'info', message: 'control released' }, true);
        return;
      }
    }
    if (!MOTION.includes(msg.op)) return;
    if (this.#owner !== peer.user) {
      this.#refuse(peer, `${msg.op} refused: ${this.#owner === null ? 'take control first' : `${this.#owner} holds control`}`);
      return;
    }
    let error: string | undefined;
    switch (msg.op) {
      case 'jog_joint': error = this.#control.jogJoint(msg.velocity); break;
      case 'jog_cartesian': error = this.#control.jogCartesian(msg.linear, msg.angular); break;
      case 'goto_pose': error = this.#control.gotoPose(msg.pose); break;
      case 'gripper': error = this.#control.gripper(msg.action); break;
      case 'speed':
        this.#control.setSpeed(msg.scale);
        this.#pushAll();
        peer.send({ op: 'status', level: 'info', message: `speed ${Math.round(msg.scale * 100)}%` }, true);
        return;
    }
    // Jogs stream at 20–30 Hz: they are answered only when refused, not acknowledged one by one.
    if (error) peer.send({ op: 'status', level: 'error', message: `${msg.op}: ${error}` }, true);
  }

  #refuse(peer: ControlPeer, message: string): void {
    this.#log('warn', `client ${peer.id} (${peer.user}, ${peer.role}): ${message}`);
    peer.send({ op: 'status', level: 'error', message }, true);
  }

  #release(): void {
    const owner = this.#owner;
    this.#owner = null;
    if (owner !== null) {
      this.#control.disengage(owner);
      this.#log('info', `${owner} released control`);
    }
    this.#pushAll();
  }

  #controlFor(peer: ControlPeer): ControlMsg {
    return {
      op: 'control',
      owner: this.#owner,
      you: this.#owner !== null && this.#owner === peer.user,
      armJoints: [...this.#control.armJoints],
      gripperJoint: this.#control.gripperJoint,
      speedScale: this.#control.speedScale,
    };
  }

  #pushAll(): void {
    if (this.#peers.size === 0) return;
    // Built once per push, not per peer: safety() may describe "since the last call".
    const safetyText = JSON.stringify({ op: 'safety', ...this.#control.safety() } satisfies SafetyMsg);
    const commanded = this.#control.commanded();
    const commandedText = commanded
      ? JSON.stringify({ op: 'commanded', position: Array.from(commanded, (v) => Math.round(v * 1e5) / 1e5) } satisfies CommandedMsg)
      : '';
    if (this.#pushes++ % CLOTH_EVERY === 0) this.#clothText = this.#encodeCloth();
    for (const peer of this.#peers.keys()) this.#pushTo(peer, safetyText, commandedText);
  }

  #encodeCloth(): string {
    const cloth = this.#control.cloth?.();
    if (!cloth) return '';
    const msg: ClothMsg = { op: 'cloth', rows: cloth.rows, cols: cloth.cols, positions: Array.from(cloth.positions, (v) => Math.round(v * 1e4) / 1e4) };
    return JSON.stringify(msg);
  }

  // Newest-only: each kind is compared with what this peer last got and sent only when it changed and the
  // socket is not backed up, so a slow page skips states instead of queuing them.
  #pushTo(peer: ControlPeer, safetyText: string, commandedText: string): void {
    const state = this.#peers.get(peer);
    if (!state || peer.bufferedAmount > this.#maxBuffered) return;
    if (safetyText !== state.sentSafety) {
      peer.sendText(safetyText);
      state.sentSafety = safetyText;
    }
    const controlText = JSON.stringify(this.#controlFor(peer));
    if (controlText !== state.sentControl) {
      peer.sendText(controlText);
      state.sentControl = controlText;
    }
    if (commandedText && commandedText !== state.sentCommanded) {
      peer.sendText(commandedText);
      state.sentCommanded = commandedText;
    }
    if (this.#clothText && this.#clothText !== state.sentCloth && peer.bufferedAmount <= this.#maxBuffered) {
      peer.sendText(this.#clothText);
      state.sentCloth = this.#clothText;
    }
  }
}
