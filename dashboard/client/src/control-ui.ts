// Wires the control half of the page: identity, e-stop, safety banner, teleop panel and the commanded-pose
// ghost. main.ts hands it every server message; it keeps its own state for the test hooks.
import { Color, Mesh, MeshStandardMaterial, type Material } from 'three';
import type { ServerMessage } from '../../server/protocol.js';
import type { ControlMsg, SafetyMsg } from '../../server/control-protocol.js';
import { EStopButton, SafetyBanner } from './estop-button.js';
import { RobotModel } from './robot-model.js';
import { TeleopPanel } from './teleop-panel.js';
import { ensureLoggedIn, logout } from './login.js';
import { PoseGizmo } from './pose-gizmo.js';
import { SceneExtras } from './scene-extras.js';
import type { SceneView } from './scene-view.js';
import type { SceneObjects } from './scene-objects.js';
import { StateInterpolator } from './state-interpolator.js';

export interface ControlHooks {
  user: string | null;
  role: string | null;
  control: ControlMsg | null;
  safety: SafetyMsg | null;
  /** Status messages of level error, newest last (bounded). */
  errors: string[];
  commandedFrames: number;
  clothFrames: number;
  frustums(): number;
  workspaceShown: boolean;
  /** The tool gizmo's centre on the canvas, while this page holds control. */
  gizmoCenter(): { x: number; y: number } | null;
  gizmoAxis(): string | null;
}

export class ControlUi {
  readonly hooks: ControlHooks;
  readonly ghost = new RobotModel();
  readonly estop: EStopButton;
  readonly banner = new SafetyBanner();
  readonly teleop: TeleopPanel;
  readonly extras = new SceneExtras();
  readonly gizmo: PoseGizmo;
  readonly #interp = new StateInterpolator();
  readonly #who: HTMLElement;
  readonly #view: SceneView;
  readonly #robot: RobotModel;
  #checkingLogin = false;

  readonly #objects: SceneObjects | undefined;
  #clothColor = 0xe6c34a;

  constructor(send: (msg: object) => void, view: SceneView, robot: RobotModel, objects?: SceneObjects) {
    this.#view = view;
    this.#robot = robot;
    this.#objects = objects;
    this.hooks = {
      user: null, role: null, control: null, safety: null, errors: [], commandedFrames: 0, clothFrames: 0,
      frustums: () => this.extras.frustums, workspaceShown: false,
      gizmoCenter: () => this.gizmo.screenCenter(),
      gizmoAxis: () => this.gizmo.hoveredAxis,
    };
    this.teleop = new TeleopPanel(send);
    this.gizmo = new PoseGizmo(view, this.teleop.held);
    view.world.add(this.ghost.root, this.extras.root);
    this.estop = new EStopButton({ send, onStop: () => this.teleop.releaseAll() });
    this.#who = document.createElement('span');
    this.#who.className = 'who';
    this.#who.dataset.who = '';
    const header = document.querySelector<HTMLElement>('#header')!;
    const logoutButton = document.createElement('button');
    logoutButton.type = 'button';
    logoutButton.className = 'logout';
    logoutButton.textContent = 'Log out';
    logoutButton.addEventListener('click', () => void logout());
    header.append(this.#who, logoutButton, this.estop.root);
    header.after(this.banner.root);
    const side = document.createElement('aside');
    side.className = 'control-side';
    side.append(this.teleop.root);
    document.querySelector<HTMLElement>('#view')!.append(side);
    this.ghost.root.visible = false;
    const frame = (): void => {
      requestAnimationFrame(frame);
      this.#frame(performance.now());
    };
    requestAnimationFrame(frame);
  }

  /** A joint_states frame: drawn through the interpolator, not at once. */
  pushState(position: readonly number[]): void {
    this.#interp.push(position);
    this.#view.invalidate();
  }

  #frame(nowMs: number): void {
    const robot = this.#robot.robot;
    if (robot) this.extras.attachToRobot(robot.links);
    if (!this.#interp.moving(nowMs)) return;
    const pose = this.#interp.sample(nowMs);
    if (pose) this.#robot.setPositions(pose);
    this.gizmo.follow(robot?.links[this.extras.toolLink]);
    this.#view.invalidate();
  }

  /** Loads the ghost arm once the real one's URDF is known. */
  loadGhost(url: string): void {
    this.ghost.load(url).then(() => {
      this.ghost.root.traverse((obj) => {
        if (!(obj instanceof Mesh)) return;
        obj.castShadow = false;
        const ghostMaterial = (): Material => new MeshStandardMaterial({ color: 0x6fb7ff, transparent: true, opacity: 0.28, depthWrite: false });
        obj.material = Array.isArray(obj.material) ? obj.material.map(ghostMaterial) : ghostMaterial();
      });
      this.#view.invalidate();
    }, () => undefined);
  }

  handle(msg: ServerMessage): void {
    switch (msg.op) {
      case 'identity':
        this.hooks.user = msg.user;
        this.hooks.role = msg.role;
        this.#who.textContent = `${msg.user} · ${msg.role}`;
        document.body.dataset.role = msg.role;
        this.estop.setRole(msg.role);
        this.teleop.setRole(msg.role);
        break;
      case 'control':
        this.hooks.control = msg;
        this.teleop.setControl(msg);
        this.gizmo.setEnabled(msg.you);
        this.ghost.setJointNames([...msg.armJoints, msg.gripperJoint]);
        break;
      case 'safety':
        // An e-stop from anywhere (another page, MQTT) lets go of everything held here, once, as it latches.
        if (msg.estop && !this.hooks.safety?.estop) this.teleop.releaseAll();
        this.hooks.safety = msg;
        this.banner.update(msg);
        this.estop.setSafety(msg);
        break;
      case 'commanded':
        this.hooks.commandedFrames++;
        this.ghost.setPositions(msg.position);
        this.ghost.root.visible = true;
        this.#view.invalidate();
        break;
      case 'view_geometry':
        this.extras.setGeometry(msg);
        this.hooks.workspaceShown = msg.workspace !== null;
        this.#view.invalidate();
        break;
      case 'scene': {
        const towel = msg.objects.find((o) => o.kind === 'cloth');
        if (towel) this.#clothColor = cssColor(towel.color, this.#clothColor);
        break;
      }
      case 'cloth':
        this.hooks.clothFrames++;
        this.extras.setCloth(msg, this.#clothColor);
        if (this.#objects) this.#objects.clothMeshShown = true;
        this.#view.invalidate();
        break;
      case 'status':
        if (msg.level === 'error') {
          this.hooks.errors.push(msg.message);
          if (this.hooks.errors.length > 50) this.hooks.errors.shift();
        }
        break;
      default:
        break;
    }
  }

  /**
   * The socket closed: nothing held may keep sending once it comes back. If the session is gone (expired,
   * logged out elsewhere) the upgrade will keep failing, so ask for a login; the client's retries then get in.
   */
  disconnected(): void {
    this.teleop.releaseAll();
    if (this.#checkingLogin) return;
    this.#checkingLogin = true;
    ensureLoggedIn().finally(() => { this.#checkingLogin = false; });
  }
}

/** A CSS colour as a hex number, or the fallback for names the browser does not know. */
function cssColor(css: string, fallback: number): number {
  const probe = new Option().style;
  probe.color = css;
  if (!probe.color) return fallback;
  const c = new Color();
  c.setStyle(probe.color);
  return c.getHex();
}
