import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DashboardRole } from './control-protocol.js';
import type { ServerMessage } from './protocol.js';
import { TeleopHandler, type ControlPeer, type RobotControl, type SafetySnapshot } from './teleop-handler.js';

class FakeRobot implements RobotControl {
  readonly armJoints = ['j1', 'j2'];
  readonly gripperJoint = 'g';
  speedScale = 0.5;
  calls: string[] = [];
  latched = false;
  estop(source: string): void { this.latched = true; this.calls.push(`estop ${source}`); }
  resetEstop(by: { operator: string; role: DashboardRole }) {
    if (by.role !== 'supervisor') return { ok: false as const, refusal: 'a supervisor must' };
    this.latched = false;
    return { ok: true as const };
  }
  engage(user: string): void { this.calls.push(`engage ${user}`); }
  disengage(user: string): void { this.calls.push(`disengage ${user}`); }
  jogJoint(v: readonly number[]) { this.calls.push(`jog ${v.join(',')}`); return v.length === 2 ? undefined : 'expected 2'; }
  jogCartesian() { return undefined; }
  gotoPose() { return undefined; }
  gripper() { return undefined; }
  setSpeed(s: number): void { this.speedScale = s; }
  safety(): SafetySnapshot {
    return { estop: this.latched, estopSource: null, estopReason: null, watchdogHolding: false, holdReason: null, limits: [], lastAction: 'idle' };
  }
  commanded() { return [0.1, 0.2, 0.01]; }
}

class FakePeer implements ControlPeer {
  static next = 1;
  readonly id = FakePeer.next++;
  bufferedAmount = 0;
  isLive = true;
  closed: number | undefined;
  sent: ServerMessage[] = [];
  constructor(readonly user: string, readonly role: DashboardRole) {}
  send(msg: ServerMessage): void { this.sent.push(msg); }
  sendText(text: string): void { this.sent.push(JSON.parse(text) as ServerMessage); }
  live(): boolean { return this.isLive; }
  close(code: number): void { this.closed = code; }
  errors(): string[] { return this.sent.flatMap((m) => (m.op === 'status' && m.level === 'error' ? [m.message] : [])); }
}

function setup() {
  const robot = new FakeRobot();
  const logs: string[] = [];
  const handler = new TeleopHandler(robot, { log: (level, m) => logs.push(`${level}: ${m}`), maxBufferedBytes: 1000 });
  return { robot, handler, logs };
}

describe('TeleopHandler', () => {
  it('refuses every command from a viewer, and logs it', () => {
    const { robot, handler, logs } = setup();
    const v = new FakePeer('vic', 'viewer');
    handler.attach(v);
    for (const msg of [{ op: 'take_control' }, { op: 'estop' }, { op: 'jog_joint', velocity: [1, 0] }, { op: 'estop_reset' }] as const) {
      handler.handle(v, msg as never);
    }
    assert.equal(v.errors().length, 4);
    assert.ok(v.errors().every((e) => /viewer/.test(e)));
    assert.equal(logs.filter((l) => /viewer/.test(l)).length, 4);
    assert.deepEqual(robot.calls, []);
    handler.stop();
  });

  it('motion needs control; control is one operator\'s until released or taken over by a supervisor', () => {
    const { robot, handler } = setup();
    const alice = new FakePeer('alice', 'operator'), bob = new FakePeer('bob', 'operator'), sup = new FakePeer('sue', 'supervisor');
    for (const p of [alice, bob, sup]) handler.attach(p);
    handler.handle(alice, { op: 'jog_joint', velocity: [1, 0] });
    assert.match(alice.errors().at(-1)!, /take control first/);
    handler.handle(alice, { op: 'take_control' });
    handler.handle(bob, { op: 'take_control' });
    assert.match(bob.errors().at(-1)!, /alice holds control/);
    handler.handle(bob, { op: 'jog_joint', velocity: [1, 0] });
    handler.handle(alice, { op: 'jog_joint', velocity: [1, 0] });
    assert.deepEqual(robot.calls, ['engage alice', 'jog 1,0']);
    handler.handle(sup, { op: 'take_control', force: true });
    assert.equal(handler.owner, 'sue');
    assert.ok(alice.sent.some((m) => m.op === 'control' && m.owner === 'sue' && !m.you));
    handler.handle(sup, { op: 'release_control' });
    assert.equal(handler.owner, null);
    handler.stop();
  });

  it('the owner\'s last connection closing hands control back', () => {
    const { robot, handler } = setup();
    const alice = new FakePeer('alice', 'operator');
    handler.attach(alice);
    handler.handle(alice, { op: 'take_control' });
    handler.detach(alice);
    assert.equal(handler.owner, null);
    assert.deepEqual(robot.calls, ['engage alice', 'disengage alice']);
  });

  it('any operator may pull the e-stop without control; only a supervisor releases it', () => {
    const { robot, handler } = setup();
    const bob = new FakePeer('bob', 'operator'), sue = new FakePeer('sue', 'supervisor');
    handler.attach(bob);
    handler.attach(sue);
    handler.handle(bob, { op: 'estop', reason: 'box fell' });
    assert.equal(robot.latched, true);
    assert.ok(sue.sent.some((m) => m.op === 'safety' && m.estop), 'everyone hears of it at once');
    handler.handle(bob, { op: 'estop_reset' });
    assert.equal(robot.latched, true);
    handler.handle(sue, { op: 'estop_reset' });
    assert.equal(robot.latched, false);
    handler.stop();
  });

  it('an expired session gets an error and its socket closed', () => {
    const { robot, handler } = setup();
    const alice = new FakePeer('alice', 'operator');
    handler.attach(alice);
    alice.isLive = false;
    handler.handle(alice, { op: 'estop' });
    assert.equal(alice.closed, 4001);
    assert.equal(robot.latched, false);
    handler.stop();
  });

  it('a backed-up peer is skipped, not queued: it gets the newest state once it drains', () => {
    const { robot, handler } = setup();
    const slow = new FakePeer('vic', 'viewer');
    handler.attach(slow);
    const before = slow.sent.length;
    slow.bufferedAmount = 10_000;
    const alice = new FakePeer('alice', 'operator');
    handler.attach(alice);
    for (let i = 0; i < 50; i++) {
      handler.handle(alice, { op: 'estop' });
      robot.latched = i % 2 === 0 ? false : true;
    }
    assert.equal(slow.sent.length, before, 'nothing was sent or kept for the slow peer');
    slow.bufferedAmount = 0;
    handler.handle(alice, { op: 'estop' });
    const safety = slow.sent.filter((m) => m.op === 'safety');
    assert.equal(safety.at(-1)?.op === 'safety' && safety.at(-1)!.estop, true, 'the newest state');
    handler.stop();
  });
});
