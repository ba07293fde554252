import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DiagnosticArray } from '../messages/index.js';
import { DiagnosticStatus } from '../messages/index.js';
import { loadArmDescription } from '../robot/index.js';
import { SafetyDiagnostics, type LogLevel } from './diagnostics.js';
import { FakeTime } from './fake-time.js';
import { SafetyFilter } from './safety-filter.js';
import type { SafetyEvent } from './safety-rules.js';

function setup() {
  const time = new FakeTime(10_000_000_000n);
  const published: DiagnosticArray[] = [];
  const logs: { level: LogLevel; msg: string; fields: Record<string, unknown> }[] = [];
  const diag = new SafetyDiagnostics(
    { minIntervalMs: 1000, hardwareId: 'arm6-a' },
    { publish: (m) => published.push(m), log: (level, msg, fields) => logs.push({ level, msg, fields }), clock: time, scheduler: time },
  );
  const statuses = () => published.flatMap((m) => m.status);
  const value = (s: { values: { key: string; value: string }[] }, key: string) => s.values.find((kv) => kv.key === key)?.value;
  return { time, diag, published, logs, statuses, value };
}

const clamp = (over: Partial<SafetyEvent> = {}): SafetyEvent => ({
  rule: 'velocity_limit', action: 'clamped', stampNs: 0n, jointIndex: 2, subject: 'elbow', original: 1.5, safe: 1.25, ...over,
});

test('SafetyDiagnostics: clamps every tick are aggregated to one WARN status per rule per interval, then OK', () => {
  const { time, diag, published, logs, statuses, value } = setup();
  diag.start();
  for (let tick = 0; tick < 90; tick++) { // 3 s at 30 Hz
    diag.onEvent(clamp({ original: 1.5 + tick * 1e-3 }));
    time.advanceMs(1000 / 30);
  }
  // Quiet for a while: the last window's clamps go out, then the rule recovers, once.
  time.advanceMs(2500);
  const all = statuses().filter((s) => s.name === 'safety/velocity_limit');
  const warn = all.filter((s) => s.level === DiagnosticStatus.WARN);
  assert.ok(warn.length >= 3 && warn.length <= 4, `${warn.length} statuses for 90 clamps`);
  assert.ok(warn.every((s) => s.hardware_id === 'arm6-a'));
  assert.equal(warn.reduce((sum, s) => sum + Number(value(s, 'count')), 0), 90, 'every clamp is counted once');
  assert.equal(value(warn[0], 'subject'), 'elbow');
  assert.equal(value(warn[0], 'original'), '1.5');
  assert.equal(value(warn[0], 'safe'), '1.25');
  assert.match(warn[0].message, /clamped 1× \(last: elbow 1\.5000 -> 1\.2500\)/);
  assert.ok(Number(value(warn[1], 'count')) > 20);
  const ok = all.filter((s) => s.level === DiagnosticStatus.OK);
  assert.equal(ok.length, 1);
  assert.equal(all.at(-1), ok[0]);
  assert.match(ok[0].message, /recovered/);
  assert.equal(value(ok[0], 'total'), '90');
  // Messages carry the clock time; log lines mirror statuses.
  assert.equal(published[0].header.stamp.sec, 10);
  assert.equal(logs[0].level, 'warn');
  assert.equal(logs[0].fields.diagnostic, 'safety/velocity_limit');
  assert.equal(logs[0].fields.count, '1');
  assert.equal(logs.at(-1)!.level, 'info');
  diag.stop();
  assert.equal(time.activeTimers, 0);
});

test('SafetyDiagnostics: an escalation to ERROR is published at once', () => {
  const { time, diag, statuses } = setup();
  diag.onEvent(clamp({ rule: 'max_step' }));
  time.advanceMs(100);
  diag.onEvent(clamp({ rule: 'max_step' }));
  diag.onEvent(clamp({ rule: 'max_step', action: 'reject' }));
  const s = statuses();
  assert.deepEqual(s.map((x) => x.level), [DiagnosticStatus.WARN, DiagnosticStatus.ERROR]);
  assert.equal(s[1].values.find((kv) => kv.key === 'count')?.value, '2');
});

test('SafetyDiagnostics: e-stop and holds are ERROR until explicitly cleared', () => {
  const { time, diag, logs, statuses } = setup();
  diag.estopTripped({ source: 'mqtt:stop-word', reason: 'stop', atNs: 0n });
  diag.holdRaised('watchdog', 'watchdog: no fresh command for 130.0 ms (timeout 100 ms)');
  for (let i = 0; i < 5; i++) { time.advanceMs(1000); diag.tick(); }
  assert.ok(statuses().every((s) => s.level === DiagnosticStatus.ERROR), 'silence does not clear a latch');
  assert.match(statuses()[0].message, /e-stop latched by mqtt:stop-word: stop/);
  assert.equal(statuses()[0].name, 'safety/estop');
  assert.equal(statuses()[1].name, 'safety/watchdog');
  assert.equal(logs[0].level, 'error');
  diag.estopReleased({ operator: 'sue', role: 'supervisor' });
  diag.holdCleared('watchdog');
  const last = statuses().slice(-2);
  assert.deepEqual(last.map((s) => [s.name, s.level]), [['safety/estop', DiagnosticStatus.OK], ['safety/watchdog', DiagnosticStatus.OK]]);
  assert.match(last[0].message, /released by sue \(supervisor\)/);
});

test('SafetyDiagnostics: wired to a SafetyFilter as its event sink', () => {
  const { diag, statuses } = setup();
  const arm6 = loadArmDescription();
  const filter = new SafetyFilter(arm6, { workspace: null }, { onEvent: diag.onEvent });
  const ready = Float64Array.from([0, -1.2, 1.8, -2.1, -1.57, 0, 0.02]);
  filter.apply({ stampNs: 1n, positions: ready }, ready, 1 / 30);
  const wild = Float64Array.from(ready);
  wild[0] = NaN;
  filter.apply({ stampNs: 2n, positions: wild }, ready, 1 / 30);
  const s = statuses();
  assert.equal(s.length, 1);
  assert.deepEqual([s[0].name, s[0].level], ['safety/nan', DiagnosticStatus.ERROR]);
  assert.equal(s[0].values.find((kv) => kv.key === 'subject')?.value, 'shoulder_pan');
});
