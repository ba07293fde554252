// The always-visible e-stop: a button and the Space/Escape keys send `estop` at once (no debounce, no
// confirmation: stopping must never be slower than a click). Releasing needs a supervisor and a confirmation.
import type { SafetyMsg } from '../../server/control-protocol.js';

export interface EStopButtonDeps {
  send(msg: object): void;
  /** Told right after the e-stop went out, e.g. to stop every held jog. */
  onStop?: () => void;
}

export class EStopButton {
  readonly root: HTMLElement;
  readonly #button: HTMLButtonElement;
  readonly #reset: HTMLButtonElement;
  readonly #dialog: HTMLDialogElement;
  readonly #deps: EStopButtonDeps;
  #role = 'viewer';
  #latched = false;

  constructor(deps: EStopButtonDeps) {
    this.#deps = deps;
    this.root = document.createElement('div');
    this.root.className = 'estop';
    // STOP is last (rightmost) so it never moves when the release button appears beside it.
    this.root.innerHTML = `
      <button type="button" class="estop-reset" data-estop-reset hidden>Release e-stop…</button>
      <button type="button" class="estop-button" data-estop title="Emergency stop (Space or Esc)">STOP</button>
      <dialog class="estop-dialog" data-estop-dialog>
        <form method="dialog">
          <p>Release the e-stop? The arm may move again as soon as a source commands it.</p>
          <menu><button value="cancel" data-estop-cancel>Cancel</button> <button value="release" class="danger" data-estop-confirm>Release</button></menu>
        </form>
      </dialog>`;
    this.#button = this.root.querySelector('[data-estop]')!;
    this.#reset = this.root.querySelector('[data-estop-reset]')!;
    this.#dialog = this.root.querySelector('[data-estop-dialog]')!;
    // pointerdown, not click: the stop goes out on the press, a release is not awaited.
    this.#button.addEventListener('pointerdown', (ev) => {
      ev.preventDefault();
      this.stop('dashboard button');
    });
    this.#button.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') this.stop('dashboard button');
    });
    this.#reset.addEventListener('click', () => this.#dialog.showModal());
    this.#dialog.addEventListener('close', () => {
      if (this.#dialog.returnValue === 'release') this.#deps.send({ op: 'estop_reset' });
    });
    window.addEventListener('keydown', (ev) => {
      if (ev.repeat || (ev.key !== ' ' && ev.key !== 'Escape')) return;
      if (this.#dialog.open) return; // Escape closes the dialog; it must not be both
      const target = ev.target as HTMLElement | null;
      if (ev.key === ' ' && target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      ev.preventDefault();
      this.stop(ev.key === ' ' ? 'dashboard key Space' : 'dashboard key Escape');
    }, { capture: true });
  }

  stop(reason: string): void {
    this.#deps.send({ op: 'estop', reason });
    this.#deps.onStop?.();
  }

  setRole(role: string): void {
    this.#role = role;
    this.#render();
  }

  setSafety(msg: SafetyMsg): void {
    this.#latched = msg.estop;
    this.#render();
  }

  #render(): void {
    this.root.dataset.latched = String(this.#latched);
    this.#reset.hidden = !(this.#latched && this.#role === 'supervisor');
    this.#button.disabled = this.#role === 'viewer';
    this.#button.title = this.#role === 'viewer' ? 'Viewers cannot stop the arm: ask an operator' : 'Emergency stop (Space or Esc)';
  }
}

/** The strip under the header that says why the arm is not moving (or is being limited). */
export class SafetyBanner {
  readonly root: HTMLElement;

  constructor() {
    this.root = document.createElement('div');
    this.root.className = 'safety-banner';
    this.root.hidden = true;
    this.root.dataset.safetyBanner = '';
  }

  update(msg: SafetyMsg): void {
    let level = '';
    let text = '';
    if (msg.estop) {
      level = 'estop';
      text = `E-STOP latched by ${msg.estopSource ?? 'unknown'}: ${msg.estopReason ?? ''}. A supervisor must release it.`;
    } else if (msg.watchdogHolding) {
      level = 'hold';
      text = `Arm held: ${msg.holdReason ?? 'watchdog'}`;
    } else if (msg.limits.length > 0) {
      level = 'limit';
      text = `Safety limits hit (${msg.lastAction}): ${msg.limits.join(', ')}`;
    }
    this.root.hidden = level === '';
    this.root.dataset.level = level;
    this.root.textContent = text;
  }
}
