// Property: for 10,000 random commands (NaN, Inf, huge values, bad dt, random measured states, resets), every
// command the filter lets through is finite and within the position, velocity, acceleration and step limits of the
// description, measured against the filter's documented history (last safe command, or the measured state after a
// reset/reject). Refusals keep the last safe command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArmDescription, JointLimits } from '../robot/arm-description.js';
import { loadArmDescription } from '../robot/index.js';
import { SafetyFilter } from './safety-filter.js';
import { mixedArm, rng } from './testing/arms.js';

const TOL = 1e-9;

function run(description: ArmDescription, seed: number, ticks: number): Record<string, number> {
  const filter = new SafetyFilter(description, { workspace: null });
  const cfg = filter.config;
  const all: JointLimits[] = [...description.armJoints, description.gripperJoint].map((j) => j.limits);
  const n = all.length;
  const step = all.map((l, i) => {
    const travel = l.hasPositionLimits ? (l.upper - l.lower) : Infinity;
    return i === n - 1 ? cfg.gripperMaxStepFraction * travel : Math.min(cfg.maxStepFraction * travel, cfg.maxStepRad);
  });
  const span = (l: JointLimits): [number, number] => (l.hasPositionLimits ? [l.lower, l.upper] : [-4, 4]);
  const rand = rng(seed);
  const pick = (lo: number, hi: number): number => lo + (hi - lo) * rand();
  const weird = [NaN, Infinity, -Infinity, 1e300, -1e300, 1e6, -1e6, Number.MAX_VALUE, -0];

  // The model of the filter's history.
  const prev = new Float64Array(n);
  const prevVel = new Float64Array(n);
  let seeded = false, hasPrev = false;
  const counts: Record<string, number> = { pass: 0, clamped: 0, reject: 0, estopped: 0 };
  const measured = new Float64Array(n);
  for (let i = 0; i < n; i++) { const [lo, hi] = span(all[i]); measured[i] = pick(lo, hi); }
  const cmd = { stampNs: 0n, positions: new Float64Array(n) };

  for (let t = 0; t < ticks; t++) {
    const r = rand();
    const dtS = r < 0.85 ? 1 / 30 + pick(-0.005, 0.005) : r < 0.95 ? pick(1e-4, 0.3) : [0, -1, NaN, Infinity, 1e-9][Math.floor(rand() * 5)];
    // Measured: usually tracks the last output, sometimes anywhere, rarely NaN.
    const tracking = hasPrev && rand() < 0.9;
    for (let i = 0; i < n; i++) {
      const m = tracking ? 0 : rand();
      const [lo, hi] = span(all[i]);
      if (m < 0.5 && hasPrev) measured[i] = prev[i] + pick(-0.01, 0.01) * (hi - lo) * 0.1;
      else if (m < 0.98) measured[i] = pick(lo - 0.05, hi + 0.05);
      else measured[i] = NaN;
    }
    // Some ticks continue the last motion with a small acceleration: these should mostly pass untouched.
    const smooth = hasPrev && seeded && rand() < 0.2;
    const dtModel = dtS > 0 ? Math.min(dtS, cfg.maxDtS) : 0;
    for (let i = 0; i < n; i++) {
      const c = smooth ? -1 : rand();
      if (c < 0) { cmd.positions[i] = prev[i] + (prevVel[i] + pick(-0.1, 0.1)) * dtModel; continue; }
      const [lo, hi] = span(all[i]);
      const base = hasPrev ? prev[i] : measured[i];
      cmd.positions[i] = c < 0.5 ? base + pick(-0.05, 0.05) * (hi - lo)
        : c < 0.8 ? pick(lo - 1, hi + 1)
        : c < 0.97 ? base + pick(-0.002, 0.002)
        : weird[Math.floor(rand() * weird.length)];
    }
    if (rand() < 0.01) { filter.reset(); seeded = false; }
    cmd.stampNs = BigInt(t);

    const v = filter.apply(cmd, measured, dtS);
    counts[v.action]++;
    const out = v.command.positions;
    assert.equal(v.command.stampNs, cmd.stampNs);
    const inputsFinite = cmd.positions.every(Number.isFinite) && measured.every(Number.isFinite);
    if (!inputsFinite) assert.equal(v.action, 'reject', `tick ${t}: non-finite input must be rejected`);
    if (!(dtS > 0 && dtS < Infinity)) assert.equal(v.action, 'reject', `tick ${t}: dtS ${dtS} must be rejected`);

    // The filter seeds from the measured state before checking the joints, once the inputs are usable.
    if (!seeded && inputsFinite && dtS > 0 && dtS < Infinity) {
      for (let i = 0; i < n; i++) {
        const l = all[i];
        prev[i] = l.hasPositionLimits ? Math.min(Math.max(measured[i], l.lower), l.upper) : measured[i];
        prevVel[i] = 0;
      }
      hasPrev = true;
    }
    if (!v.writable) {
      if (hasPrev) assert.deepEqual(Array.from(out), Array.from(prev), `tick ${t}: a refusal keeps the last safe command`);
      seeded = false;
      continue;
    }
    const dt = Math.min(dtS, cfg.maxDtS);
    for (let i = 0; i < n; i++) {
      const l = all[i];
      const q = out[i];
      const where = `tick ${t} joint ${i} (${v.action})`;
      assert.ok(Number.isFinite(q), `${where}: not finite: ${q}`);
      if (l.hasPositionLimits) assert.ok(q >= l.lower - TOL && q <= l.upper + TOL, `${where}: ${q} outside [${l.lower}, ${l.upper}]`);
      const vel = (q - prev[i]) / dt;
      // Positions round to an ulp, which a tiny dt turns into a visible velocity error; allow exactly that.
      const velTol = (4e-16 * Math.max(1, Math.abs(q), Math.abs(prev[i]))) / dt + TOL;
      if (l.hasVelocityLimits) assert.ok(Math.abs(vel) <= l.maxVelocity * cfg.velocityScale + velTol, `${where}: velocity ${vel}`);
      if (l.hasAccelerationLimits) {
        const dv = Math.abs(vel - prevVel[i]);
        assert.ok(dv <= l.maxAcceleration * cfg.accelerationScale * dt + velTol, `${where}: velocity change ${dv} > ${l.maxAcceleration * dt}`);
      }
      assert.ok(Math.abs(q - measured[i]) <= step[i] + TOL, `${where}: ${Math.abs(q - measured[i])} from measured, step ${step[i]}`);
      if (v.action === 'pass') assert.equal(q, cmd.positions[i], `${where}: pass must not change the command`);
      prevVel[i] = vel;
      prev[i] = q;
    }
    seeded = true;
    hasPrev = true;
  }
  return counts;
}

test('SafetyFilter: 10,000 random commands on arm6 never leave the URDF limits', () => {
  const counts = run(loadArmDescription(), 1234, 10_000);
  // The generator must exercise every outcome, or the property says little.
  assert.ok(counts.pass > 100 && counts.clamped > 1000 && counts.reject > 300, JSON.stringify(counts));
});

test('SafetyFilter: random commands on an arm with mixed has-flags (continuous, no accel limits)', () => {
  const counts = run(mixedArm(), 99, 5_000);
  assert.ok(counts.pass + counts.clamped > 1000, JSON.stringify(counts));
});
