import { Group, Mesh, MeshStandardMaterial, type Material } from 'three';
import URDFLoader, { type URDFJoint, type URDFRobot } from 'urdf-loader';

/**
 * The arm as drawn from the server's URDF, posed from joint_states. The wire sends joint names once and then
 * bare position arrays, so the name → joint lookup is resolved once per name list, not per frame.
 */
export class RobotModel {
  readonly root = new Group();
  #robot: URDFRobot | undefined;
  #names: string[] = [];
  #joints: (URDFJoint | undefined)[] = [];
  #pending: readonly number[] | undefined;

  get loaded(): boolean { return this.#robot !== undefined; }
  get robot(): URDFRobot | undefined { return this.#robot; }

  async load(url: string): Promise<void> {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`RobotModel#load: GET ${url}: ${res.status} ${res.statusText}`);
    this.setUrdf(await res.text());
  }

  /** Parsing is separate from fetching so tests and offline tools can feed text directly. */
  setUrdf(text: string): void {
    const loader = new URDFLoader();
    loader.parseCollision = false;
    const robot = loader.parse(text);
    robot.traverse((obj) => {
      if (!(obj instanceof Mesh)) return;
      obj.castShadow = true;
      obj.receiveShadow = true;
      obj.material = Array.isArray(obj.material)
        ? (obj.material as Material[]).map(toStandard)
        : toStandard(obj.material as Material);
    });
    if (this.#robot) this.root.remove(this.#robot);
    this.#robot = robot;
    this.root.add(robot);
    this.#resolveJoints();
    if (this.#pending) this.setPositions(this.#pending);
  }

  setJointNames(names: readonly string[]): void {
    this.#names = [...names];
    this.#resolveJoints();
  }

  /** Positions in the order of the last setJointNames; kept until the URDF arrives. */
  setPositions(position: readonly number[]): void {
    this.#pending = position;
    if (!this.#robot) return;
    const n = Math.min(position.length, this.#joints.length);
    for (let i = 0; i < n; i++) {
      const v = position[i];
      // setJointValue also moves the joint's mimic joints (the second finger).
      if (typeof v === 'number') this.#joints[i]?.setJointValue(v);
    }
  }

  #resolveJoints(): void {
    const joints = this.#robot?.joints ?? {};
    this.#joints = this.#names.map((name) => joints[name]);
  }
}

/** urdf-loader gives Phong materials; standard (PBR) ones take the scene's soft light better. */
function toStandard(material: Material): Material {
  const source = material as Material & { color?: { getHex(): number } };
  // urdf-loader's material for a visual without <material> is plain white, which glares under the key light.
  const hex = source.color?.getHex() ?? 0xffffff;
  const color = hex === 0xffffff ? 0xdfe3ea : hex;
  const standard = new MeshStandardMaterial({
    color,
    roughness: 0.55,
    metalness: 0.15,
    transparent: material.transparent,
    opacity: material.opacity,
  });
  standard.name = material.name;
  material.dispose();
  return standard;
}
