// Teleop over the wire against the real sim stack (with the towel), no browser: the 3D view's geometry and the
// towel's particle grid arrive; a gizmo target sent as goto_pose is solved by IK on the robot and the tool gets
// there; when the messages stop, the robot-side watchdog holds the arm (the dead-man); release hands back.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadLaunchDescription } from '../launch/launch-description.js';
import { SimStack } from '../launch/sim-stack.js';
import { root } from './helpers/browser.js';
import { openSocket, passwordLogin, collect, waitForMessage } from './helpers/dashboard-login.js';

async function until(cond: () => boolean, what: string, step?: () => void): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (cond()) return;
    step?.();
    await new Promise((r) => setTimeout(r, 40)); // the page's held-input period
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('teleop over the wire: geometry and towel, goto_pose by IK on the robot, dead-man hold, handback', { timeout: 90_000 }, async () => {
  const launch = loadLaunchDescription(join(root, 'launch/sim.launch.yaml'));
  const stack = new SimStack(launch, { port: 0, seed: 4, bridge: false, cloth: true, log: () => undefined });
  await stack.start();
  try {
    const cookie = await passwordLogin(stack.url!, 'operator', 'operator-dev');
    const ws = await openSocket(stack.url!, { cookie });
    const msgs = collect(ws);
    const geometry = await waitForMessage(msgs, (m) => m.op === 'view_geometry', 'view_geometry') as unknown as {
      workspace: { min: { z: number } }; cameras: { name: string; mount?: { link: string } }[]; toolLink: string;
    };
    assert.deepEqual(geometry.cameras.map((c) => c.name), ['overhead', 'wrist']);
    assert.equal(geometry.cameras[1].mount?.link, 'tool0');
    assert.ok(geometry.workspace.min.z > 0);
    const cloth = await waitForMessage(msgs, (m) => m.op === 'cloth', 'cloth') as unknown as { rows: number; cols: number; positions: number[] };
    assert.equal(cloth.positions.length, 3 * cloth.rows * cloth.cols);

    ws.send(JSON.stringify({ op: 'take_control' }));
    await waitForMessage(msgs, (m) => m.op === 'control' && m.you === true, 'control');
    const { kinematics, driver } = stack.sim;
    const start = kinematics.fk(driver.readCommandPositions());
    const goal = { position: { ...start.position, z: start.position.z + 0.04 }, orientation: { ...start.orientation } };
    // Held like the gizmo: the same target re-sent every period until the tool is there.
    await until(
      () => Math.abs(kinematics.fk(driver.readCommandPositions()).position.z - goal.position.z) < 0.004,
      'the tool to reach the gizmo target',
      () => ws.send(JSON.stringify({ op: 'goto_pose', pose: goal })),
    );
    // Let go: no more messages. The TeleopSource goes quiet and the watchdog holds the arm.
    const safety = () => msgs.filter((m) => m.op === 'safety').at(-1) as { watchdogHolding?: boolean } | undefined;
    await until(() => safety()?.watchdogHolding === true, 'the watchdog hold after the messages stopped');
    const q = Float64Array.from(driver.readCommandPositions());
    const ticks = stack.pipeline.counters.ticks;
    await until(() => stack.pipeline.counters.ticks > ticks + 10, '10 more ticks');
    const moved = Math.max(...Array.from(driver.readCommandPositions(), (v, i) => (i < 6 ? Math.abs(v - q[i]) : 0)));
    assert.ok(moved < 0.01, `the held arm stays put (moved ${moved.toFixed(4)} rad)`);
    assert.ok(stack.pipeline.counters.written > 0 && stack.pipeline.source?.name === 'teleop');

    const seen = msgs.length;
    ws.send(JSON.stringify({ op: 'release_control' }));
    await waitForMessage(msgs, (m) => m.op === 'control' && m.owner === null && msgs.indexOf(m) >= seen, 'the handback');
    assert.equal(stack.pipeline.source?.name, 'scripted_expert');
    ws.close();
  } finally {
    await stack.stop();
    await stack.close();
  }
});
