// Teleop controls: take/release control, speed, joint and Cartesian jog buttons, gripper, keyboard and gamepad.
// Every motion input is a held input (held-input.ts): the arm moves only while something is held down.
//
// Keys: Q/A W/S E/D R/F T/G Y/H jog joints 1–6 (+/−); arrows jog the tool in x/y, PageUp/PageDown in z;
// O / C open / close the gripper. Gamepad (standard mapping): hold RB as the dead-man, left stick x/y,
// right stick z (vertical) and yaw (horizontal); A closes, B opens the gripper.
import type { ControlMsg } from '../../server/control-protocol.js';
import { HeldInput } from './held-input.js';

const JOINT_KEYS = ['q', 'w', 'e', 'r', 't', 'y'];
const JOINT_KEYS_NEG = ['a', 's', 'd', 'f', 'g', 'h'];
const CART_KEYS: Record<string, [axis: 'x' | 'y' | 'z', sign: number]> = {
  ArrowUp: ['x', 1], ArrowDown: ['x', -1], ArrowLeft: ['y', 1], ArrowRight: ['y', -1], PageUp: ['z', 1], PageDown: ['z', -1],
};
const GAMEPAD_DEADZONE = 0.15;

export class TeleopPanel {
  readonly root: HTMLElement;
  readonly held: HeldInput;
  readonly #send: (msg: object) => void;
  #control: ControlMsg | undefined;
  #role = 'viewer';
  /** Per held key: its contribution; the jog message sums them. */
  readonly #joint = new Map<string, [index: number, sign: number]>();
  readonly #cart = new Map<string, [axis: 'x' | 'y' | 'z' | 'yaw', sign: number]>();
  #gamepadTimer: ReturnType<typeof setInterval> | undefined;

  constructor(send: (msg: object) => void) {
    this.#send = send;
    this.held = new HeldInput(send);
    this.root = document.createElement('section');
    this.root.className = 'teleop';
    this.root.dataset.teleop = '';
    this.#render();
    window.addEventListener('keydown', (ev) => this.#key(ev, true));
    window.addEventListener('keyup', (ev) => this.#key(ev, false));
    // A hidden tab or lost focus releases everything: keyup never comes then.
    window.addEventListener('blur', () => this.releaseAll());
    document.addEventListener('visibilitychange', () => { if (document.hidden) this.releaseAll(); });
    window.addEventListener('gamepadconnected', () => this.#startGamepad());
  }

  get hasControl(): boolean { return this.#control?.you === true; }

  setRole(role: string): void {
    this.#role = role;
    this.#render();
  }

  setControl(msg: ControlMsg): void {
    const hadJoints = this.#control?.armJoints.join() ?? '';
    this.#control = msg;
    if (!msg.you) this.releaseAll();
    if (hadJoints !== msg.armJoints.join()) this.#render();
    else this.#renderState();
  }

  releaseAll(): void {
    this.#joint.clear();
    this.#cart.clear();
    this.held.stopAll();
  }

  #render(): void {
    const joints = this.#control?.armJoints ?? [];
    this.root.innerHTML = `
      <h2>Teleop</h2>
      <p class="teleop-owner" data-owner>—</p>
      <div class="row">
        <button type="button" data-take>Take control</button>
        <button type="button" data-release>Release</button>
      </div>
      <label class="row">Speed <input type="range" min="5" max="100" step="5" value="50" data-speed /> <span data-speed-label>50%</span></label>
      <div class="jog-joints">${joints.map((name, i) => `
        <div class="jog-row"><span>${i + 1} ${name}</span>
          <button type="button" data-jog-joint="${i}" data-sign="-1">−</button>
          <button type="button" data-jog-joint="${i}" data-sign="1">+</button></div>`).join('')}
      </div>
      <div class="jog-cart">${(['x', 'y', 'z', 'yaw'] as const).map((axis) => `
        <div class="jog-row"><span>${axis}</span>
          <button type="button" data-jog-cart="${axis}" data-sign="-1">−</button>
          <button type="button" data-jog-cart="${axis}" data-sign="1">+</button></div>`).join('')}
      </div>
      <div class="row">
        <button type="button" data-gripper="open">Open gripper</button>
        <button type="button" data-gripper="close">Close gripper</button>
      </div>
      <p class="hint">Hold to move: Q/A…Y/H joints, arrows and PgUp/PgDn tool, O/C gripper; gamepad with RB held.</p>`;
    this.root.querySelector('[data-take]')!.addEventListener('click', () => this.#send({ op: 'take_control' }));
    this.root.querySelector('[data-release]')!.addEventListener('click', () => this.#send({ op: 'release_control' }));
    const speed = this.root.querySelector<HTMLInputElement>('[data-speed]')!;
    speed.addEventListener('change', () => this.#send({ op: 'speed', scale: Number(speed.value) / 100 }));
    for (const b of this.root.querySelectorAll<HTMLButtonElement>('[data-jog-joint]')) {
      const i = Number(b.dataset.jogJoint), sign = Number(b.dataset.sign);
      this.#holdButton(b, `btn-j${i}${sign}`, () => this.#joint.set(`btn-j${i}${sign}`, [i, sign]));
    }
    for (const b of this.root.querySelectorAll<HTMLButtonElement>('[data-jog-cart]')) {
      const axis = b.dataset.jogCart as 'x' | 'y' | 'z' | 'yaw', sign = Number(b.dataset.sign);
      this.#holdButton(b, `btn-c${axis}${sign}`, () => this.#cart.set(`btn-c${axis}${sign}`, [axis, sign]));
    }
    for (const b of this.root.querySelectorAll<HTMLButtonElement>('[data-gripper]')) {
      const action = b.dataset.gripper!;
      b.addEventListener('pointerdown', (ev) => {
        ev.preventDefault();
        b.setPointerCapture?.(ev.pointerId);
        this.held.press('gripper', () => ({ op: 'gripper', action }));
      });
      const up = (): void => this.held.release('gripper');
      b.addEventListener('pointerup', up);
      b.addEventListener('pointercancel', up);
    }
    this.#renderState();
  }

  #renderState(): void {
    const c = this.#control;
    const owner = this.root.querySelector<HTMLElement>('[data-owner]')!;
    owner.textContent = !c ? '—' : c.owner === null ? 'autonomous (nobody has control)' : c.you ? `you (${c.owner}) have control` : `${c.owner} has control`;
    const canDrive = this.#role !== 'viewer';
    this.root.dataset.you = String(c?.you === true);
    this.root.querySelector<HTMLButtonElement>('[data-take]')!.disabled = !canDrive || c?.you === true;
    this.root.querySelector<HTMLButtonElement>('[data-release]')!.disabled = c?.you !== true;
    for (const b of this.root.querySelectorAll<HTMLButtonElement>('[data-jog-joint],[data-jog-cart],[data-gripper],[data-speed]')) {
      // Viewers see the controls greyed; the server refuses their messages either way.
      b.disabled = !canDrive;
    }
    if (c) {
      const pct = Math.round(c.speedScale * 100);
      this.root.querySelector<HTMLInputElement>('[data-speed]')!.value = String(pct);
      this.root.querySelector<HTMLElement>('[data-speed-label]')!.textContent = `${pct}%`;
    }
  }

  #holdButton(b: HTMLButtonElement, key: string, add: () => void): void {
    b.addEventListener('pointerdown', (ev) => {
      ev.preventDefault();
      b.setPointerCapture?.(ev.pointerId);
      add();
      this.held.press('jog', () => this.#jogMessage());
    });
    const up = (): void => {
      this.#joint.delete(key);
      this.#cart.delete(key);
      this.#afterRelease();
    };
    b.addEventListener('pointerup', up);
    b.addEventListener('pointercancel', up);
  }

  #afterRelease(): void {
    if (this.#joint.size === 0 && this.#cart.size === 0) this.held.release('jog');
  }

  #key(ev: KeyboardEvent, down: boolean): void {
    const target = ev.target as HTMLElement | null;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) && (target as HTMLInputElement).type !== 'range') return;
    const k = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
    const key = `key-${k}`;
    // Auto-repeat of a key that was released under it (e-stop, lost control) is not a new press.
    if (down && ev.repeat && !this.#joint.has(key) && !this.#cart.has(key) && !this.held.has('gripper')) return;
    let i = JOINT_KEYS.indexOf(k), sign = 1;
    if (i < 0) { i = JOINT_KEYS_NEG.indexOf(k); sign = -1; }
    if (i >= 0) {
      ev.preventDefault();
      if (down) this.#joint.set(key, [i, sign]); else this.#joint.delete(key);
    } else if (CART_KEYS[k]) {
      ev.preventDefault();
      if (down) this.#cart.set(key, CART_KEYS[k]); else this.#cart.delete(key);
    } else if (k === 'o' || k === 'c') {
      ev.preventDefault();
      if (down) this.held.press('gripper', () => ({ op: 'gripper', action: k === 'o' ? 'open' : 'close' }));
      else this.held.release('gripper');
      return;
    } else {
      return;
    }
    if (down) this.held.press('jog', () => this.#jogMessage());
    else this.#afterRelease();
  }

  /** One message for everything held now: joints win over Cartesian (they cannot be mixed in one command). */
  #jogMessage(): object | null {
    const n = this.#control?.armJoints.length ?? 0;
    if (this.#joint.size > 0 && n > 0) {
      const velocity = new Array<number>(n).fill(0);
      for (const [i, sign] of this.#joint.values()) if (i < n) velocity[i] = Math.max(-1, Math.min(1, velocity[i] + sign));
      return { op: 'jog_joint', velocity };
    }
    if (this.#cart.size > 0) {
      const linear = { x: 0, y: 0, z: 0 }, angular = { x: 0, y: 0, z: 0 };
      for (const [axis, sign] of this.#cart.values()) {
        if (axis === 'yaw') angular.z = Math.max(-1, Math.min(1, angular.z + sign));
        else linear[axis] = Math.max(-1, Math.min(1, linear[axis] + sign));
      }
      return { op: 'jog_cartesian', linear, angular };
    }
    return null;
  }

  #startGamepad(): void {
    if (this.#gamepadTimer !== undefined) return;
    this.#gamepadTimer = setInterval(() => this.#pollGamepad(), 40);
  }

  #pollGamepad(): void {
    const pad = navigator.getGamepads?.().find((p) => p && p.mapping === 'standard') ?? null;
    if (!pad) return;
    const axis = (i: number): number => {
      const v = pad.axes[i] ?? 0;
      return Math.abs(v) < GAMEPAD_DEADZONE ? 0 : Math.max(-1, Math.min(1, v));
    };
    const deadman = pad.buttons[5]?.pressed === true;
    if (!deadman) {
      if (this.#cart.has('pad') || this.held.active) {
        this.#cart.delete('pad');
        this.held.release('pad');
        this.held.release('pad-gripper');
      }
      return;
    }
    const linear = { x: -axis(1), y: -axis(0), z: -axis(3) }, angular = { x: 0, y: 0, z: -axis(2) };
    this.held.press('pad', () => ({ op: 'jog_cartesian', linear, angular }));
    if (pad.buttons[0]?.pressed) this.held.press('pad-gripper', () => ({ op: 'gripper', action: 'close' }));
    else if (pad.buttons[1]?.pressed) this.held.press('pad-gripper', () => ({ op: 'gripper', action: 'open' }));
    else this.held.release('pad-gripper');
  }
}
