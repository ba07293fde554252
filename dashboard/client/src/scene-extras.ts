// What the 3D view draws besides the arm and the objects: the safety workspace box, the cameras' frustums
// (a wrist camera rides on its link), and the towel as a mesh over its particle grid.
import {
  BoxGeometry, BufferAttribute, BufferGeometry, DoubleSide, EdgesGeometry, Group, LineBasicMaterial, LineSegments,
  Mesh, MeshStandardMaterial, type Object3D,
} from 'three';
import type { CameraGeometryWire, ClothMsg, ViewGeometryMsg } from '../../server/control-protocol.js';
import type { PoseWire } from '../../server/protocol.js';

/** How far the frustums reach, m: enough to show where a camera looks without cluttering the table. */
const FRUSTUM_DEPTH_M = 0.22;

function place(obj: Object3D, pose: PoseWire): void {
  obj.position.set(pose.position.x, pose.position.y, pose.position.z);
  const q = pose.orientation;
  obj.quaternion.set(q.x, q.y, q.z, q.w).normalize();
}

/** Lines from the optical centre to the image corners at FRUSTUM_DEPTH_M, plus the far rectangle. */
function frustum(cam: CameraGeometryWire, color: number): LineSegments {
  const { width, height, fx, fy, cx, cy } = cam.intrinsics;
  const d = FRUSTUM_DEPTH_M;
  // Optical frame: x right, y down, z forward.
  const corners = [[0, 0], [width, 0], [width, height], [0, height]].map(([u, v]) => [((u - cx) / fx) * d, ((v - cy) / fy) * d, d]);
  const pts: number[] = [];
  for (let i = 0; i < 4; i++) {
    pts.push(0, 0, 0, ...corners[i]);
    pts.push(...corners[i], ...corners[(i + 1) % 4]);
  }
  const geom = new BufferGeometry();
  geom.setAttribute('position', new BufferAttribute(new Float32Array(pts), 3));
  const lines = new LineSegments(geom, new LineBasicMaterial({ color, transparent: true, opacity: 0.8 }));
  lines.name = `frustum:${cam.name}`;
  return lines;
}

export class SceneExtras {
  readonly root = new Group();
  readonly #workspace = new Group();
  readonly #fixedCameras = new Group();
  #mounted: { link: string; obj: LineSegments }[] = [];
  #attached = new Set<LineSegments>();
  #cloth: Mesh | undefined;
  #clothShape = '';
  toolLink = '';

  constructor() {
    this.root.add(this.#workspace, this.#fixedCameras);
  }

  get clothVisible(): boolean { return this.#cloth?.visible === true; }
  get frustums(): number { return this.#fixedCameras.children.length + this.#attached.size; }

  setGeometry(msg: ViewGeometryMsg): void {
    this.toolLink = msg.toolLink;
    this.#workspace.clear();
    if (msg.workspace) {
      const { min, max } = msg.workspace;
      const box = new LineSegments(
        new EdgesGeometry(new BoxGeometry(max.x - min.x, max.y - min.y, max.z - min.z)),
        new LineBasicMaterial({ color: 0xf2a541, transparent: true, opacity: 0.45 }),
      );
      box.position.set((min.x + max.x) / 2, (min.y + max.y) / 2, (min.z + max.z) / 2);
      box.name = 'workspace';
      this.#workspace.add(box);
    }
    this.#fixedCameras.clear();
    for (const obj of this.#attached) obj.removeFromParent();
    this.#attached.clear();
    this.#mounted = [];
    for (const cam of msg.cameras) {
      const lines = frustum(cam, cam.mount ? 0x7fd3ff : 0xb48cff);
      if (cam.mount) {
        place(lines, cam.mount.poseInLink);
        this.#mounted.push({ link: cam.mount.link, obj: lines });
      } else if (cam.poseInBase) {
        place(lines, cam.poseInBase);
        this.#fixedCameras.add(lines);
      }
    }
  }

  /** Hangs mounted frustums on their links once the arm model exists (links move them from then on). */
  attachToRobot(links: Record<string, Object3D> | undefined): void {
    if (!links) return;
    for (const { link, obj } of this.#mounted) {
      if (this.#attached.has(obj) || !links[link]) continue;
      links[link].add(obj);
      this.#attached.add(obj);
    }
  }

  setCloth(msg: ClothMsg, color = 0xe6c34a): void {
    const n = msg.rows * msg.cols;
    if (msg.rows < 2 || msg.cols < 2 || msg.positions.length !== 3 * n) return;
    const shape = `${msg.rows}x${msg.cols}`;
    if (!this.#cloth || this.#clothShape !== shape) {
      this.#cloth?.removeFromParent();
      this.#cloth?.geometry.dispose();
      const geom = new BufferGeometry();
      geom.setAttribute('position', new BufferAttribute(new Float32Array(3 * n), 3));
      const index: number[] = [];
      for (let r = 0; r < msg.rows - 1; r++) {
        for (let c = 0; c < msg.cols - 1; c++) {
          const a = r * msg.cols + c, b = a + 1, d = a + msg.cols, e = d + 1;
          index.push(a, d, b, b, d, e);
        }
      }
      geom.setIndex(index);
      this.#cloth = new Mesh(geom, new MeshStandardMaterial({ color, roughness: 0.95, side: DoubleSide }));
      this.#cloth.name = 'cloth';
      this.#cloth.castShadow = true;
      this.#clothShape = shape;
      this.root.add(this.#cloth);
    }
    (this.#cloth.material as MeshStandardMaterial).color.setHex(color);
    const geom = this.#cloth.geometry;
    (geom.getAttribute('position') as BufferAttribute).copyArray(msg.positions).needsUpdate = true;
    geom.computeVertexNormals();
    geom.computeBoundingSphere();
    this.#cloth.visible = true;
  }
}
