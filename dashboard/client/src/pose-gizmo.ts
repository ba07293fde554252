// The tool-target gizmo: TransformControls on a marker at the tool. While it is dragged (the dead-man: the mouse
// button is held), its pose goes to the robot as goto_pose at the held-input rate and IK runs robot-side; when
// it is let go, the marker snaps back to follow the measured tool.
import { AxesHelper, Group, Matrix4, Mesh, MeshStandardMaterial, Quaternion, SphereGeometry, Vector3, type Object3D } from 'three';
import { TransformControls } from 'three/examples/jsm/controls/TransformControls.js';
import type { SceneView } from './scene-view.js';
import type { HeldInput } from './held-input.js';

const scratch = new Matrix4();
const inverseWorld = new Matrix4();
const p = new Vector3();
const q = new Quaternion();
const s = new Vector3();

export class PoseGizmo {
  readonly target = new Group();
  readonly controls: TransformControls;
  #dragging = false;
  #enabled = false;

  constructor(readonly view: SceneView, held: HeldInput) {
    const marker = new Mesh(new SphereGeometry(0.012, 16, 12), new MeshStandardMaterial({ color: 0x7fd3ff, emissive: 0x1d4f70 }));
    this.target.add(marker, new AxesHelper(0.06));
    this.target.visible = false;
    this.target.name = 'tool-target';
    view.world.add(this.target);
    this.controls = new TransformControls(view.camera, view.renderer.domElement);
    this.controls.setSize(0.7);
    this.controls.attach(this.target);
    const helper = this.controls.getHelper();
    helper.visible = false;
    view.scene.add(helper);
    this.controls.addEventListener('change', () => view.invalidate());
    this.controls.addEventListener('dragging-changed', (ev) => {
      this.#dragging = Boolean(ev.value);
      view.controls.enabled = !this.#dragging;
      if (this.#dragging) held.press('gizmo', () => this.#message());
      else held.release('gizmo');
    });
    window.addEventListener('keydown', (ev) => {
      if (!this.#enabled || ev.repeat) return;
      if (ev.key === 'm') this.controls.setMode('translate');
      if (ev.key === 'n') this.controls.setMode('rotate');
    });
  }

  get dragging(): boolean { return this.#dragging; }

  /** The handle under the pointer ('XYZ', 'X', ...), or null: what a press would grab. */
  get hoveredAxis(): string | null { return this.controls.axis; }

  /** Where the gizmo's centre is drawn, in canvas CSS pixels (tests drag it from there); null when off. */
  screenCenter(): { x: number; y: number } | null {
    if (!this.#enabled) return null;
    const v = this.target.getWorldPosition(new Vector3()).project(this.view.camera);
    const canvas = this.view.renderer.domElement;
    return { x: ((v.x + 1) / 2) * canvas.clientWidth, y: ((1 - v.y) / 2) * canvas.clientHeight };
  }

  /** On only while this page holds control. */
  setEnabled(on: boolean): void {
    this.#enabled = on;
    this.target.visible = on;
    this.controls.enabled = on;
    this.controls.getHelper().visible = on;
    if (!on && this.#dragging) this.controls.dispatchEvent({ type: 'dragging-changed', value: false });
    this.view.invalidate();
  }

  /** Puts the marker on the measured tool, unless the operator is dragging it. */
  follow(tool: Object3D | undefined): void {
    if (!tool || this.#dragging || !this.#enabled) return;
    inverseWorld.copy(this.view.world.matrixWorld).invert();
    scratch.multiplyMatrices(inverseWorld, tool.matrixWorld).decompose(p, q, s);
    this.target.position.copy(p);
    this.target.quaternion.copy(q);
  }

  #message(): object {
    const t = this.target;
    return {
      op: 'goto_pose',
      pose: {
        position: { x: t.position.x, y: t.position.y, z: t.position.z },
        orientation: { x: t.quaternion.x, y: t.quaternion.y, z: t.quaternion.z, w: t.quaternion.w },
      },
    };
  }
}
