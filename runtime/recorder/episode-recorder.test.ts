// Episode lifecycle: start/stop, label after stop, discard, re-record, time limit, reset period, validation,
// and what lands in the sidecar and the MCAP's metadata records.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { EpisodeRecorder, type RecorderEvent } from './episode-recorder.js';
import { readSidecar } from './episode-sidecar.js';
import { MemoryRandomReader } from './random-reader.js';
import { readMcapSummary } from './read-mcap-summary.js';
import { FakeClock, TOWEL, graphRig, rgbFrame } from './testing/recorder-fixtures.js';
import { readBack, withTempDir } from './testing/mcap-test-helpers.js';

const quiet = (): void => undefined;

function makeRecorder(dir: string, clock: FakeClock, extra: Record<string, unknown> = {}) {
  const rig = graphRig();
  const recorder = new EpisodeRecorder(
    { outputDir: dir, imageFormat: 'raw', resetTimeS: 0, monitorIntervalMs: 0, ...extra },
    { clock, node: rig.node, log: quiet, statfs: async () => ({ bavail: 1n << 30n, bsize: 4096n }) },
  );
  recorder.addCamera({ name: 'wrist', width: 8, height: 6, fps: 30, encoding: 'rgb8' });
  return { rig, recorder };
}

/** Records `n` ticks at 30 Hz: joint state, action and a wrist frame each. */
function recordTicks(rig: ReturnType<typeof graphRig>, recorder: EpisodeRecorder, clock: FakeClock, n: number, seq0 = 0): void {
  for (let i = 0; i < n; i++) {
    const t = clock.advanceS(1 / 30);
    rig.tick(t, seq0 + i);
    recorder.pushFrame('wrist', rgbFrame(8, 6, seq0 + i + 1, t));
  }
}

describe('EpisodeRecorder lifecycle', () => {
  it('records an episode into episode_000000.mcap + .json with metadata, counts and the end record', async () => {
    await withTempDir(async (dir) => {
      const clock = new FakeClock();
      const { rig, recorder } = makeRecorder(dir, clock);
      const started = await recorder.start(TOWEL);
      assert.equal(started.episodeIndex, 0);
      assert.equal(started.mcapPath, join(dir, 'episode_000000.mcap'));
      assert.equal(readSidecar(started.sidecarPath).status, 'recording');
      recordTicks(rig, recorder, clock, 30);
      recorder.recordEvent('operator_note', { text: 'grasped the corner' });
      const sidecar = await recorder.stop();
      await recorder.close();

      assert.equal(sidecar.complete, true);
      assert.equal(sidecar.reason, 'operator');
      assert.equal(sidecar.task, TOWEL.task);
      assert.deepEqual(sidecar.object, TOWEL.object);
      assert.equal(sidecar.durationS, 1);
      const byTopic = new Map(sidecar.streams.map((s) => [s.topic, s]));
      assert.equal(byTopic.get('/joint_states')?.written, 30);
      assert.equal(byTopic.get('/arm_controller/joint_trajectory')?.written, 30);
      assert.equal(byTopic.get('/wrist/image_raw')?.written, 30);
      assert.equal(byTopic.get('/wrist/image_raw')?.nominalHz, 30);
      assert.equal(sidecar.dropsTotal, 0);
      assert.deepEqual(sidecar.gaps, []);
      assert.equal(sidecar.mcap.hasFooter, true);
      assert.deepEqual(readSidecar(started.sidecarPath), sidecar);

      const summary = await readMcapSummary(started.mcapPath);
      const meta = new Map(summary.metadata.map((m) => [m.name, m.metadata]));
      assert.equal(meta.get('episode')?.task, TOWEL.task);
      assert.equal(meta.get('episode')?.operator, 'Zoë');
      assert.equal(meta.get('episode')?.object_category, 'cloth');
      assert.equal(meta.get('episode')?.object_mass_kg, '0.12');
      assert.equal(meta.get('recorder')?.image_format, 'raw');
      assert.equal(meta.get('episode_end')?.reason, 'operator');
      const channels = new Map(summary.channels.map((c) => [c.topic, c]));
      assert.equal(channels.get('/wrist/image_raw')?.schemaName, 'sensor_msgs/msg/Image');
      assert.equal(channels.get('/joint_states')?.metadata.armstack_role, 'state');
      assert.equal(channels.get('/arm_controller/joint_trajectory')?.metadata.armstack_role, 'action');

      const { messages } = await readBack(new MemoryRandomReader(readFileSync(started.mcapPath)));
      const events = messages.filter((m) => m.topic === '/recorder/events').map((m) => JSON.parse(m.msg.data as string));
      assert.deepEqual(events.map((e) => e.event), ['episode_start', 'operator_note', 'episode_stop']);
      // Capture stamps are the log times: the first joint state was stamped 1/30 s after the start.
      const firstJoint = messages.find((m) => m.topic === '/joint_states')!;
      assert.equal(firstJoint.logTime, 1_000_000_000n + 33_333_333n);
    });
  });

  it('takes a label and notes after stop until the next start, then for the new episode only', async () => {
    await withTempDir(async (dir) => {
      const clock = new FakeClock();
      const { rig, recorder } = makeRecorder(dir, clock);
      await assert.rejects(recorder.label('success'), (e: unknown) => e instanceof UserError && /no episode to label/.test(e.message));
      const first = await recorder.start(TOWEL);
      recordTicks(rig, recorder, clock, 5);
      await recorder.stop();
      const labelled = await recorder.label('failure', 'towel slipped');
      assert.equal(labelled?.label, 'failure');
      assert.equal(readSidecar(first.sidecarPath).label, 'failure');
      assert.equal(readSidecar(first.sidecarPath).notes, 'towel slipped');
      await assert.rejects(recorder.label('maybe' as never), (e: unknown) => e instanceof UserError && /"success", "failure"/.test(e.message));

      const second = await recorder.start();
      assert.equal(second.episodeIndex, 1);
      await recorder.label('success');
      recordTicks(rig, recorder, clock, 5);
      const s2 = await recorder.stop();
      assert.equal(s2.label, 'success');
      assert.equal(s2.task, TOWEL.task, 'metadata carries over to the next start');
      assert.equal(readSidecar(first.sidecarPath).label, 'failure', 'the earlier episode keeps its label');
      const summary = await readMcapSummary(second.mcapPath);
      assert.equal(summary.metadata.find((m) => m.name === 'episode_end')?.metadata.label, 'success');
      await recorder.close();
    });
  });

  it('discards the current or last episode and reuses its index; re-record keeps the metadata', async () => {
    await withTempDir(async (dir) => {
      const clock = new FakeClock();
      const { rig, recorder } = makeRecorder(dir, clock);
      const a = await recorder.start(TOWEL);
      recordTicks(rig, recorder, clock, 3);
      assert.deepEqual(await recorder.discard(), { episodeIndex: 0 });
      assert.equal(existsSync(a.mcapPath), false);
      assert.equal(existsSync(a.sidecarPath), false);
      await assert.rejects(recorder.discard(), UserError);

      const b = await recorder.start({ task: 'fold the towel in thirds' });
      assert.equal(b.episodeIndex, 0);
      recordTicks(rig, recorder, clock, 3);
      await recorder.stop();
      await recorder.label('failure');
      const c = await recorder.rerecord();
      assert.equal(c.episodeIndex, 0);
      recordTicks(rig, recorder, clock, 3);
      const s = await recorder.stop();
      assert.equal(s.task, 'fold the towel in thirds');
      assert.equal(s.label, null, 're-record clears the label');
      const d = await recorder.start();
      assert.equal(d.episodeIndex, 1);
      await recorder.close();
      assert.equal(readSidecar(d.sidecarPath).reason, 'shutdown');
      assert.equal(readSidecar(d.sidecarPath).complete, false);
    });
  });

  it('stops by itself at the time limit and then runs the reset period', async () => {
    await withTempDir(async (dir) => {
      const clock = new FakeClock();
      const { rig, recorder } = makeRecorder(dir, clock, { episodeTimeS: 0.5, resetTimeS: 0.05 });
      const phases: string[] = [];
      recorder.onEvent((e: RecorderEvent) => e.kind === 'phase' && phases.push(e.phase));
      await recorder.start(TOWEL);
      await assert.rejects(recorder.start(TOWEL), (e: unknown) => e instanceof UserError && /already recording episode 0/.test(e.message));
      recordTicks(rig, recorder, clock, 20);
      const sidecar = await recorder.whenStopped();
      assert.equal(sidecar.reason, 'time_limit');
      assert.equal(sidecar.complete, true);
      assert.ok(sidecar.durationS >= 0.5 && sidecar.durationS < 0.6, `duration ${sidecar.durationS}`);
      assert.equal(recorder.phase, 'resetting');
      assert.ok(recorder.status().resetRemainingS > 0);
      await new Promise((r) => setTimeout(r, 120));
      assert.equal(recorder.phase, 'idle');
      assert.deepEqual(phases, ['recording', 'stopping', 'resetting', 'idle']);
      await assert.rejects(recorder.stop(), (e: unknown) => e instanceof UserError && /no episode is being recorded/.test(e.message));
      await recorder.close();
    });
  });

  it('refuses bad metadata and bad config with the field named', async () => {
    await withTempDir(async (dir) => {
      const clock = new FakeClock();
      const { recorder } = makeRecorder(dir, clock);
      await assert.rejects(
        recorder.start({ ...TOWEL, object: { ...TOWEL.object, category: 'jelly' as never } }),
        (e: unknown) => e instanceof UserError && /object\.category must be one of "cloth", "bag", "cardboard", "rigid"/.test(e.message),
      );
      await assert.rejects(recorder.start({ task: 'x' }), (e: unknown) => e instanceof UserError && /operator is required/.test(e.message));
      assert.equal(recorder.phase, 'idle');
      await recorder.close();
      assert.throws(
        () => new EpisodeRecorder({ outputDir: dir, episodeTimeS: -1 }, { clock }),
        (e: unknown) => e instanceof UserError && /episodeTimeS must be > 0/.test(e.message),
      );
    });
  });
});
