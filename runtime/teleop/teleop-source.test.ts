import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_URDF_PATH, Kinematics, loadArmDescription } from '../robot/index.js';
import { TeleopSource } from './teleop-source.js';

const desc = loadArmDescription(DEFAULT_URDF_PATH);
const kin = new Kinematics(desc);
const tick = { nominalPeriodS: 1 / 30 };
const home = Float64Array.from([0, -1.2, 1.6, -1.9, -1.5708, 0, 0.02]);

function setup() {
  let nowNs = 1_000_000_000n;
  const src = new TeleopSource(desc, kin, () => nowNs, { speedScale: 1 });
  return { src, advance: (ms: number) => { nowNs += BigInt(ms) * 1_000_000n; } };
}

describe('TeleopSource', () => {
  it('returns nothing until an input arrives, and nothing once it is older than the dead-man period', () => {
    const { src, advance } = setup();
    assert.equal(src.next(home, undefined, tick), null);
    assert.equal(src.jogJoint([1, 0, 0, 0, 0, 0]), undefined);
    assert.ok(src.next(home, undefined, tick));
    advance(101);
    assert.equal(src.next(home, undefined, tick), null, 'a stale jog moves nothing');
  });

  it('joint jog integrates at the speed-scaled velocity limit, within the lead cap', () => {
    const { src } = setup();
    src.setSpeed(0.5);
    src.jogJoint([1, 0, 0, 0, 0, -1]);
    const out = src.next(home, undefined, tick)!;
    const v0 = desc.armJoints[0].limits.maxVelocity;
    assert.ok(Math.abs(out[0] - (home[0] + v0 * 0.5 / 30)) < 1e-9);
    assert.ok(out[5] < home[5]);
    assert.equal(out[1], home[1]);
    for (let i = 0; i < 100; i++) src.next(home, undefined, tick);
    assert.ok(src.next(home, undefined, tick)![0] <= home[0] + src.config.maxLeadRad + 1e-12, 'a blocked arm is not wound up');
  });

  it('refuses a joint vector of the wrong length', () => {
    const { src } = setup();
    assert.match(src.jogJoint([1, 0]) ?? '', /expected 6/);
  });

  it('Cartesian jog moves the tool along +x (IK on the robot side)', () => {
    const { src } = setup();
    const before = kin.fk(home).position;
    src.jogCartesian({ x: 1, y: 0, z: 0 }, { x: 0, y: 0, z: 0 });
    let q = home;
    for (let i = 0; i < 10; i++) q = Float64Array.from(src.next(q, undefined, tick)!);
    const after = kin.fk(q).position;
    assert.ok(after.x - before.x > 0.01, `tool moved ${(after.x - before.x).toFixed(4)} m in x`);
    assert.ok(Math.abs(after.y - before.y) < 0.005 && Math.abs(after.z - before.z) < 0.005);
  });

  it('goto_pose steps towards an IK solution of the target', () => {
    const { src, advance } = setup();
    const goal = kin.fk(home);
    goal.position.z += 0.05;
    let q = home;
    for (let i = 0; i < 60; i++) {
      src.gotoPose(goal);
      q = Float64Array.from(src.next(q, undefined, tick)!);
      advance(33);
    }
    assert.ok(Math.abs(kin.fk(q).position.z - goal.position.z) < 0.002);
  });

  it('the gripper opens towards its upper limit while held', () => {
    const { src } = setup();
    src.gripper('open');
    const out = src.next(home, undefined, tick)!;
    assert.ok(out[6] > home[6]);
    assert.ok(out[6] <= desc.gripperJoint.limits.upper);
  });

  it('after a reset (e-stop), an input held through it must be let go before the arm moves again', () => {
    const { src, advance } = setup();
    src.jogJoint([1, 0, 0, 0, 0, 0]);
    assert.ok(src.next(home, undefined, tick));
    src.reset();
    for (let i = 0; i < 10; i++) {
      advance(40);
      src.jogJoint([1, 0, 0, 0, 0, 0]);
      assert.equal(src.next(home, undefined, tick), null, 'the held key does not resume motion');
    }
    advance(150); // let go for longer than the dead-man period
    src.jogJoint([1, 0, 0, 0, 0, 0]);
    assert.ok(src.next(home, undefined, tick), 'a fresh press moves again');
  });
});
