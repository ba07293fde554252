import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Kinematics, loadArmDescription } from '../runtime/robot/index.js';
import { createSimWorld } from '../sim/sim-arm-driver.js';
import { SceneRenderer } from '../sim/render/scene-renderer.js';
import { overheadView } from '../sim/render/sim-views.js';
import { labelBoxes } from './models/train/scene-labels.js';
import { yawOf } from '../sim/world-objects.js';
import { scanPoseQ } from '../policies/scan-pose.js';
import { ArmSelfFilter } from './arm-self-filter.js';
import type { SampledBox } from './models/train/scene-sampler.js';

const description = loadArmDescription();
const kinematics = new Kinematics(description);
const view = overheadView();

/** Renders seed's world with the arm at q; returns each box's visible share and whether the filter flags it. */
function judge(seed: number, q: Float64Array): { color: string; visible: number; flagged: boolean }[] {
  const { world } = createSimWorld({ seed, boxes: 6 });
  const full = new Float64Array(kinematics.dof + 1);
  full.set(q);
  full[kinematics.dof] = 0.0395;
  world.dynamics.setPositions(full);
  const rgb = new Uint8Array(640 * 480 * 3), ids = new Uint8Array(640 * 480);
  SceneRenderer.forWorld(world).renderWorld(world, view, rgb, ids);
  const boxes: SampledBox[] = world.objects.map((o) => ({ id: o.id, color: o.color, size: o.size, pose: o.pose, status: 'table', yawRad: yawOf(o.pose) }));
  const filter = new ArmSelfFilter(kinematics, view.camera);
  return labelBoxes(boxes, view.camera, ids).map((l) => ({
    color: l.color, visible: l.visibleFraction, flagged: filter.occludes(q, l.u, l.v, 12),
  }));
}

describe('ArmSelfFilter', () => {
  it('flags every box the arm hides, in rendered scenes with the arm over the table', () => {
    let hidden = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const start = kinematics.ik({ position: { x: 0.4 + 0.02 * seed, y: 0.05 * (seed - 3), z: 0.28 }, orientation: { x: 1, y: 0, z: 0, w: 0 } }, new Float64Array([0, -1.6, 1.6, -1.57, -1.57, 0]));
      if (!start.ok) continue;
      for (const b of judge(seed, Float64Array.from(start.q))) {
        if (b.visible < 0.9) {
          hidden++;
          assert.ok(b.flagged, `seed ${seed}: the ${b.color} box is ${Math.round(100 * b.visible)} % visible but not flagged`);
        }
      }
    }
    assert.ok(hidden >= 2, `only ${hidden} boxes were hidden: the test does not exercise the filter`);
  });

  it('leaves the table clear at the scan pose: nothing hidden, nothing flagged', () => {
    const scan = scanPoseQ(kinematics);
    for (const seed of [1, 2, 3]) {
      for (const b of judge(seed, scan)) {
        assert.ok(b.visible > 0.95, `seed ${seed}: the ${b.color} box is ${Math.round(100 * b.visible)} % visible from the scan pose`);
        assert.equal(b.flagged, false, `seed ${seed}: the ${b.color} box is flagged at the scan pose`);
      }
    }
  });
});
