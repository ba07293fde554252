import {
  Box2,
  BoxGeometry,
  Color,
  Group,
  Mesh,
  MeshStandardMaterial,
  Vector2,
  type Object3D,
} from 'three';
import type { SceneBinWire, SceneMsg, SceneObjectWire } from '../../server/protocol.js';

const WALL_M = 0.008;
const CLOTH_THICKNESS_M = 0.004;
const unitBox = new BoxGeometry(1, 1, 1);
const scratchColor = new Color();
const scratchPoint = new Vector2();

function safeColor(css: string): Color {
  // Color#setStyle warns on unknown names; a bad colour from a publisher must not spam the console.
  const probe = new Option().style;
  probe.color = css;
  return probe.color !== '' ? scratchColor.setStyle(css).clone() : new Color(0x9aa3ad);
}

function placeFromPose(obj: Object3D, pose: SceneObjectWire['pose']): void {
  const p = pose.position;
  const q = pose.orientation;
  obj.position.set(p.x, p.y, p.z);
  const norm = Math.hypot(q.x, q.y, q.z, q.w);
  if (norm > 1e-9) obj.quaternion.set(q.x / norm, q.y / norm, q.z / norm, q.w / norm);
  else obj.quaternion.identity();
}

/** An open-top tray: floor plus four walls, so objects inside stay visible from above. */
function makeBin(): Group {
  const group = new Group();
  const material = new MeshStandardMaterial({ color: 0x3d6fb6, roughness: 0.7, metalness: 0.05 });
  for (let i = 0; i < 5; i++) {
    const wall = new Mesh(unitBox, material);
    wall.castShadow = true;
    wall.receiveShadow = true;
    group.add(wall);
  }
  return group;
}

function sizeBin(group: Group, size: SceneBinWire['size']): void {
  const [floor, north, south, east, west] = group.children;
  const { x, y, z } = size;
  floor.scale.set(x, y, WALL_M);
  floor.position.set(0, 0, -z / 2 + WALL_M / 2);
  north.scale.set(x, WALL_M, z);
  north.position.set(0, y / 2 - WALL_M / 2, 0);
  south.scale.set(x, WALL_M, z);
  south.position.set(0, -y / 2 + WALL_M / 2, 0);
  east.scale.set(WALL_M, y, z);
  east.position.set(x / 2 - WALL_M / 2, 0, 0);
  west.scale.set(WALL_M, y, z);
  west.position.set(-x / 2 + WALL_M / 2, 0, 0);
}

/**
 * Boxes, cloths and bins from `scene` messages, in the base frame (z up). Meshes are kept by id and only
 * re-posed on each message, so a 30 Hz scene stream allocates nothing once the set of objects is stable.
 */
export class SceneObjects {
  readonly root = new Group();
  #objects = new Map<string, Mesh>();
  #bins = new Map<number, Group>();
  /** Footprint (x, y) of everything in the scene, for sizing the table. */
  readonly footprint = new Box2();
  /** True once the towel is drawn from its particles (scene-extras.ts): its flat box would only be in the way. */
  clothMeshShown = false;

  update(msg: SceneMsg): void {
    this.footprint.makeEmpty();
    const seenObjects = new Set<string>();
    for (const o of msg.objects) {
      seenObjects.add(o.id);
      let mesh = this.#objects.get(o.id);
      if (!mesh) {
        mesh = new Mesh(unitBox, new MeshStandardMaterial({ roughness: 0.6, metalness: 0.0 }));
        mesh.castShadow = true;
        mesh.receiveShadow = true;
        this.#objects.set(o.id, mesh);
        this.root.add(mesh);
      }
      const material = mesh.material as MeshStandardMaterial;
      if (mesh.userData.color !== o.color) {
        material.color.copy(safeColor(o.color));
        mesh.userData.color = o.color;
      }
      // A held object glows faintly so the grasp reads at a glance.
      material.emissive.setHex(o.held ? 0x333333 : 0x000000);
      const isCloth = o.kind === 'cloth';
      material.roughness = isCloth ? 0.95 : 0.6;
      mesh.scale.set(o.size.x, o.size.y, isCloth ? Math.max(o.size.z, CLOTH_THICKNESS_M) : o.size.z);
      mesh.visible = !(isCloth && this.clothMeshShown);
      placeFromPose(mesh, o.pose);
      this.#grow(o.pose.position, o.size);
    }
    for (const [id, mesh] of this.#objects) {
      if (seenObjects.has(id)) continue;
      this.root.remove(mesh);
      (mesh.material as MeshStandardMaterial).dispose();
      this.#objects.delete(id);
    }

    const seenBins = new Set<number>();
    for (const b of msg.bins) {
      seenBins.add(b.number);
      let bin = this.#bins.get(b.number);
      if (!bin) {
        bin = makeBin();
        this.#bins.set(b.number, bin);
        this.root.add(bin);
      }
      sizeBin(bin, b.size);
      placeFromPose(bin, b.pose);
      this.#grow(b.pose.position, b.size);
    }
    for (const [n, bin] of this.#bins) {
      if (seenBins.has(n)) continue;
      this.root.remove(bin);
      ((bin.children[0] as Mesh).material as MeshStandardMaterial).dispose();
      this.#bins.delete(n);
    }
  }

  get objectCount(): number { return this.#objects.size; }
  get binCount(): number { return this.#bins.size; }

  #grow(p: { x: number; y: number }, size: { x: number; y: number }): void {
    // Half the larger horizontal extent covers any yaw.
    const r = Math.max(size.x, size.y) / 2;
    this.footprint.expandByPoint(scratchPoint.set(p.x - r, p.y - r));
    this.footprint.expandByPoint(scratchPoint.set(p.x + r, p.y + r));
  }
}
