import {
  Box2,
  Box3,
  BoxGeometry,
  Color,
  DirectionalLight,
  Fog,
  GridHelper,
  Group,
  HemisphereLight,
  Mesh,
  MeshStandardMaterial,
  PCFShadowMap,
  PerspectiveCamera,
  PlaneGeometry,
  Scene,
  Vector2,
  Vector3,
  WebGLRenderer,
  type Object3D,
} from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { RenderQuality } from './render-quality.js';

export const TABLE_HEIGHT_M = 0.75;
const TABLE_THICKNESS_M = 0.03;
const TABLE_MARGIN_M = 0.12;
/** The arm's reach, roughly, in front of and beside its base: the table covers at least this much. */
const DEFAULT_TABLE = new Box2(new Vector2(-0.3, -0.6), new Vector2(0.8, 0.6));
const BACKGROUND = 0x1b2028;

const scratchBox = new Box3();
const scratchCorner = new Vector3();

/** ROS (x forward, y left, z up) to three's y-up axes: the camera is placed in ROS terms, like everything else. */
function rosToThree(x: number, y: number, z: number): Vector3 {
  return new Vector3(x, z, -y);
}

export interface ScreenRect { x: number; y: number; width: number; height: number }

/**
 * The 3D view: renderer, camera, orbit controls, light, floor and table. Everything the dashboard draws goes
 * into `world`, which is in the robot's base frame (z up, table top at z = 0). Renders on demand: a frame
 * is drawn only when something changed, so an idle dashboard costs no GPU (or SwiftShader CPU) time.
 */
export class SceneView {
  readonly scene = new Scene();
  readonly world = new Group();
  readonly camera = new PerspectiveCamera(45, 1, 0.02, 50);
  readonly renderer: WebGLRenderer;
  readonly controls: OrbitControls;
  /** Frames actually drawn (for tests and the header). */
  renderedFrames = 0;
  #dirty = true;
  #tableTop: Mesh;
  #legs: Mesh[] = [];
  #rafHandle = 0;
  #resizeObserver: ResizeObserver;

  constructor(readonly container: HTMLElement, readonly quality: RenderQuality) {
    // preserveDrawingBuffer: tests (and a "save image" button later) read pixels back after compositing.
    this.renderer = new WebGLRenderer({ antialias: quality.antialias, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, quality.maxPixelRatio));
    this.renderer.shadowMap.enabled = quality.shadows;
    this.renderer.shadowMap.type = PCFShadowMap;
    container.appendChild(this.renderer.domElement);

    this.scene.background = new Color(BACKGROUND);
    this.scene.fog = new Fog(BACKGROUND, 6, 14);
    this.world.rotation.x = -Math.PI / 2; // ROS z-up into three's y-up
    this.scene.add(this.world);

    this.camera.position.copy(rosToThree(1.3, -0.95, 0.8));
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.target.copy(rosToThree(0.3, 0, 0.12));
    this.controls.enableDamping = true;
    this.controls.maxPolarAngle = Math.PI * 0.495; // stay above the floor
    this.controls.minDistance = 0.3;
    this.controls.maxDistance = 8;
    this.controls.addEventListener('change', () => this.invalidate());
    this.controls.update();

    this.#addLights();
    this.#addFloor();
    this.#tableTop = this.#addTable();
    this.fitTable(new Box2().makeEmpty());

    this.#resizeObserver = new ResizeObserver(() => this.#resize());
    this.#resizeObserver.observe(container);
    this.#resize();
  }

  /** Something in the scene moved: draw on the next animation frame. */
  invalidate(): void {
    this.#dirty = true;
  }

  start(): void {
    const minFrameMs = 1000 / this.quality.maxFps;
    let lastDrawMs = -Infinity;
    const tick = (nowMs: number): void => {
      this.#rafHandle = requestAnimationFrame(tick);
      // Small slack so a 60 Hz display is not halved to 30 fps by rAF jitter.
      if (nowMs - lastDrawMs < minFrameMs - 2) return;
      const moved = this.controls.update();
      if (!this.#dirty && !moved) return;
      lastDrawMs = nowMs;
      this.#dirty = false;
      this.renderer.render(this.scene, this.camera);
      this.renderedFrames++;
    };
    this.#rafHandle = requestAnimationFrame(tick);
  }

  dispose(): void {
    cancelAnimationFrame(this.#rafHandle);
    this.#resizeObserver.disconnect();
    this.controls.dispose();
    this.renderer.dispose();
  }

  /** Grows the table to hold the scene's footprint (x, y in metres); it never shrinks below the arm's reach. */
  fitTable(footprint: Box2): void {
    const box = DEFAULT_TABLE.clone();
    if (!footprint.isEmpty()) box.union(footprint.clone().expandByScalar(TABLE_MARGIN_M));
    const sx = box.max.x - box.min.x;
    const sy = box.max.y - box.min.y;
    const cx = (box.max.x + box.min.x) / 2;
    const cy = (box.max.y + box.min.y) / 2;
    this.#tableTop.scale.set(sx, sy, TABLE_THICKNESS_M);
    this.#tableTop.position.set(cx, cy, -TABLE_THICKNESS_M / 2);
    const inset = 0.06;
    const corners = [[1, 1], [1, -1], [-1, 1], [-1, -1]] as const;
    corners.forEach(([ix, iy], i) => {
      this.#legs[i].position.set(cx + ix * (sx / 2 - inset), cy + iy * (sy / 2 - inset), -(TABLE_HEIGHT_M + TABLE_THICKNESS_M) / 2);
    });
    this.invalidate();
  }

  /** Where an object is drawn, in CSS pixels of the canvas; null when it is empty or behind the camera. */
  screenRect(obj: Object3D): ScreenRect | null {
    scratchBox.setFromObject(obj);
    if (scratchBox.isEmpty()) return null;
    const canvas = this.renderer.domElement;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let i = 0; i < 8; i++) {
      scratchCorner.set(
        i & 1 ? scratchBox.max.x : scratchBox.min.x,
        i & 2 ? scratchBox.max.y : scratchBox.min.y,
        i & 4 ? scratchBox.max.z : scratchBox.min.z,
      ).project(this.camera);
      if (scratchCorner.z > 1) return null;
      minX = Math.min(minX, ((scratchCorner.x + 1) / 2) * w);
      maxX = Math.max(maxX, ((scratchCorner.x + 1) / 2) * w);
      minY = Math.min(minY, ((1 - scratchCorner.y) / 2) * h);
      maxY = Math.max(maxY, ((1 - scratchCorner.y) / 2) * h);
    }
    const x = Math.max(0, Math.floor(minX));
    const y = Math.max(0, Math.floor(minY));
    const width = Math.min(w, Math.ceil(maxX)) - x;
    const height = Math.min(h, Math.ceil(maxY)) - y;
    return width > 0 && height > 0 ? { x, y, width, height } : null;
  }

  #addLights(): void {
    // Sky/ground fill for soft overall light, one shadow-casting key light from the front-left above.
    this.scene.add(new HemisphereLight(0xdfe8f5, 0x3a3f47, 1.6));
    const key = new DirectionalLight(0xffffff, 2.2);
    key.position.copy(rosToThree(1.2, 0.8, 2.4));
    key.castShadow = true;
    key.shadow.mapSize.set(1024, 1024);
    key.shadow.camera.left = -1.5;
    key.shadow.camera.right = 1.5;
    key.shadow.camera.top = 1.5;
    key.shadow.camera.bottom = -1.5;
    key.shadow.camera.near = 0.5;
    key.shadow.camera.far = 6;
    key.shadow.bias = -0.0005;
    key.shadow.radius = 3;
    this.scene.add(key);
    const rim = new DirectionalLight(0xaac4ff, 0.6);
    rim.position.copy(rosToThree(-1.5, -1, 1.2));
    this.scene.add(rim);
  }

  #addFloor(): void {
    const floor = new Mesh(new PlaneGeometry(30, 30), new MeshStandardMaterial({ color: 0x242a33, roughness: 1 }));
    floor.position.z = -TABLE_HEIGHT_M;
    floor.receiveShadow = true;
    this.world.add(floor);
    const grid = new GridHelper(12, 48, 0x3b4552, 0x2e3540);
    grid.rotation.x = Math.PI / 2; // GridHelper lies in three's XZ plane; the world group is z-up
    grid.position.z = -TABLE_HEIGHT_M + 0.001;
    this.world.add(grid);
  }

  #addTable(): Mesh {
    const unit = new BoxGeometry(1, 1, 1);
    const top = new Mesh(unit, new MeshStandardMaterial({ color: 0xcfc7b8, roughness: 0.8 }));
    top.receiveShadow = true;
    top.castShadow = true;
    this.world.add(top);
    const legMaterial = new MeshStandardMaterial({ color: 0x4a505a, roughness: 0.6, metalness: 0.3 });
    for (let i = 0; i < 4; i++) {
      const leg = new Mesh(unit, legMaterial);
      leg.scale.set(0.04, 0.04, TABLE_HEIGHT_M - TABLE_THICKNESS_M);
      leg.castShadow = true;
      this.#legs.push(leg);
      this.world.add(leg);
    }
    return top;
  }

  #resize(): void {
    const w = Math.max(1, this.container.clientWidth);
    const h = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.invalidate();
  }
}
