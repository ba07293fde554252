// Folds JointState messages into one name-ordered vector, as joint_state_publisher does: publishers may send
// partial states (the gripper apart from the arm) or reorder names, yet the wire sends names once and then
// bare position arrays, so the order must stay stable and only ever grow.

export interface JointStateLike {
  header: { stamp: { sec: number; nanosec: number } };
  name: string[];
  position: ArrayLike<number>;
}

export class JointStateMerger {
  #names: string[] = [];
  #index = new Map<string, number>();
  #positions: number[] = [];
  #stamp = { sec: 0, nanosec: 0 };
  #count = 0;

  /** Returns true when the joint order changed (a name appeared), so clients need the new names. */
  merge(msg: JointStateLike): boolean {
    let namesChanged = false;
    const names = Array.isArray(msg.name) ? msg.name : [];
    const position = msg.position ?? [];
    const n = Math.min(names.length, position.length);
    for (let i = 0; i < n; i++) {
      const name = names[i];
      if (typeof name !== 'string') continue;
      let idx = this.#index.get(name);
      if (idx === undefined) {
        idx = this.#names.length;
        this.#names.push(name);
        this.#index.set(name, idx);
        this.#positions.push(0);
        namesChanged = true;
      }
      const v = Number(position[i]);
      // JSON has no NaN/Infinity: keep the last good value rather than sending null.
      if (Number.isFinite(v)) this.#positions[idx] = v;
    }
    const stamp = msg.header?.stamp;
    if (stamp) this.#stamp = { sec: stamp.sec, nanosec: stamp.nanosec };
    this.#count++;
    return namesChanged;
  }

  get names(): readonly string[] { return this.#names; }
  get positions(): readonly number[] { return this.#positions; }
  get stamp(): { sec: number; nanosec: number } { return this.#stamp; }
  /** Messages merged so far; zero means nothing to send yet. */
  get count(): number { return this.#count; }
}
