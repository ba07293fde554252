import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Quat } from './arm-description.js';
import {
  angleBetweenQuats, mat3FromAxisAngle, mat3FromQuat, mat3FromRpy, poseFromXyzRpy, poseInverse, poseMultiply,
  quatFromAxisAngle, quatFromMat3, quatFromRpy, quatMultiply, quatRotateVec3, rpyFromQuat, topDownGrasp,
} from './transforms.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

function randomRpy(i: number): [number, number, number] {
  // A fixed spread of angles, pitch kept off ±π/2 where rpy is not unique.
  return [Math.sin(i * 1.3) * 3, Math.sin(i * 0.7) * 1.5, Math.cos(i * 2.1) * 3];
}

test('quatFromRpy matches the URDF rotation Rz·Ry·Rx and round-trips through rpyFromQuat', () => {
  const m = new Float64Array(9), mq = new Float64Array(9);
  for (let i = 0; i < 50; i++) {
    const [r, p, y] = randomRpy(i);
    const q = quatFromRpy(r, p, y);
    mat3FromRpy(r, p, y, m);
    mat3FromQuat(q, mq);
    for (let k = 0; k < 9; k++) close(m[k], mq[k]);
    const back = rpyFromQuat(q);
    assert.ok(angleBetweenQuats(quatFromRpy(...back), q) < 1e-9);
    // Fixed axes: roll first, about x, then pitch about y, then yaw about z.
    const composed = quatMultiply(quatFromAxisAngle({ x: 0, y: 0, z: 1 }, y),
      quatMultiply(quatFromAxisAngle({ x: 0, y: 1, z: 0 }, p), quatFromAxisAngle({ x: 1, y: 0, z: 0 }, r)));
    assert.ok(angleBetweenQuats(composed, q) < 1e-12);
  }
});

test('quatFromMat3 inverts mat3FromQuat in every branch, w ≥ 0', () => {
  const m = new Float64Array(9);
  const quats: Quat[] = [
    { x: 0, y: 0, z: 0, w: 1 }, { x: 1, y: 0, z: 0, w: 0 }, { x: 0, y: 1, z: 0, w: 0 }, { x: 0, y: 0, z: 1, w: 0 },
    ...Array.from({ length: 40 }, (_, i) => quatFromRpy(...randomRpy(i + 100))),
  ];
  for (const q of quats) {
    const back = quatFromMat3(mat3FromQuat(q, m));
    assert.ok(back.w >= 0);
    assert.ok(angleBetweenQuats(q, back) < 1e-9);
  }
});

test('mat3FromAxisAngle rotates about the axis by the angle', () => {
  const m = new Float64Array(9);
  const n = 1 / Math.sqrt(3);
  mat3FromAxisAngle(n, n, n, (2 * Math.PI) / 3, m);
  // A third of a turn about (1,1,1) cycles the axes: x → y.
  close(m[0], 0, 1e-12); close(m[3], 1, 1e-12); close(m[6], 0, 1e-12);
  const q = quatFromMat3(m);
  assert.ok(angleBetweenQuats(q, quatFromAxisAngle({ x: 1, y: 1, z: 1 }, (2 * Math.PI) / 3)) < 1e-12);
});

test('angleBetweenQuats: q and −q are the same rotation, small angles keep their precision', () => {
  const q = quatFromRpy(0.3, -0.2, 1.1);
  close(angleBetweenQuats(q, { x: -q.x, y: -q.y, z: -q.z, w: -q.w }), 0);
  close(angleBetweenQuats(q, quatMultiply(q, quatFromAxisAngle({ x: 0, y: 1, z: 0 }, 1e-7))), 1e-7, 1e-15);
  close(angleBetweenQuats({ x: 0, y: 0, z: 0, w: 1 }, { x: 1, y: 0, z: 0, w: 0 }), Math.PI);
});

test('topDownGrasp points tool Z down and tool X along the yaw', () => {
  for (const yaw of [-2, -Math.PI / 2, 0, 0.4, Math.PI]) {
    const p = topDownGrasp(0.5, -0.1, 0.02, yaw);
    assert.deepEqual(p.position, { x: 0.5, y: -0.1, z: 0.02 });
    const z = quatRotateVec3(p.orientation, { x: 0, y: 0, z: 1 });
    const x = quatRotateVec3(p.orientation, { x: 1, y: 0, z: 0 });
    close(z.x, 0); close(z.y, 0); close(z.z, -1);
    close(x.x, Math.cos(yaw)); close(x.y, Math.sin(yaw)); close(x.z, 0);
    assert.ok(angleBetweenQuats(p.orientation, poseFromXyzRpy(0, 0, 0, Math.PI, 0, yaw).orientation) < 1e-12);
  }
});

test('poseMultiply and poseInverse compose to the identity', () => {
  const a = poseFromXyzRpy(0.1, -0.2, 0.3, 0.4, -0.5, 0.6);
  const b = poseFromXyzRpy(-0.7, 0.2, 0.05, -1.2, 0.3, 2.5);
  const id = poseMultiply(a, poseInverse(a));
  close(Math.hypot(id.position.x, id.position.y, id.position.z), 0, 1e-15);
  close(angleBetweenQuats(id.orientation, { x: 0, y: 0, z: 0, w: 1 }), 0, 1e-7);
  const ab = poseMultiply(a, b), back = poseMultiply(poseInverse(a), ab);
  close(back.position.x, b.position.x); close(back.position.y, b.position.y); close(back.position.z, b.position.z);
  assert.ok(angleBetweenQuats(back.orientation, b.orientation) < 1e-7);
});
