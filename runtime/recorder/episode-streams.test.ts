// Streams of an episode: bounded JPEG queue with per-camera drop counts, camera gaps (closed and open at stop),
// rate warnings, the event log, and real JPEG encoding in worker threads when OpenCV loads.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openCvOrSkip } from '../../perception/cameras/testing/opencv-test.js';
import { MsgTypes, timeFromNs, type JointState, type StringMsg, type WrenchStamped } from '../messages/index.js';
import { EpisodeRecorder, type RecorderEvent } from './episode-recorder.js';
import { MemoryRandomReader } from './random-reader.js';
import { FakeClock, ManualEncoder, TOWEL, graphRig, rgbFrame } from './testing/recorder-fixtures.js';
import { readBack, withTempDir } from './testing/mcap-test-helpers.js';

const quiet = (): void => undefined;
const plenty = async (): Promise<{ bavail: bigint; bsize: bigint }> => ({ bavail: 1n << 30n, bsize: 4096n });

describe('episode streams', () => {
  it('drops and counts frames when the encode queue is full, without blocking', async () => {
    await withTempDir(async (dir) => {
      const clock = new FakeClock();
      const encoder = new ManualEncoder();
      const rig = graphRig();
      const recorder = new EpisodeRecorder(
        { outputDir: dir, imageFormat: 'jpeg', encodeQueueDepth: 2, resetTimeS: 0, monitorIntervalMs: 0 },
        { clock, node: rig.node, encoder, log: quiet, statfs: plenty },
      );
      recorder.addCamera({ name: 'overhead', width: 16, height: 12, fps: 30, encoding: 'rgb8' });
      recorder.addCamera({ name: 'wrist', width: 16, height: 12, fps: 30, encoding: 'bgr8' });
      await recorder.start(TOWEL);
      const results: string[] = [];
      for (let i = 1; i <= 5; i++) {
        const t = clock.advanceS(1 / 30);
        results.push(recorder.pushFrame('overhead', rgbFrame(16, 12, i, t)));
        if (i <= 2) recorder.pushFrame('wrist', { ...rgbFrame(16, 12, i, t), encoding: 'bgr8' });
      }
      assert.deepEqual(results, ['queued', 'queued', 'dropped', 'dropped', 'dropped']);
      let capacity = false;
      const waiting = recorder.whenCapacity().then(() => (capacity = true));
      await new Promise((r) => setImmediate(r));
      assert.equal(capacity, false, 'both queues are full');
      encoder.release();
      await waiting;
      const t = clock.advanceS(1 / 30);
      assert.equal(recorder.pushFrame('overhead', rgbFrame(16, 12, 6, t)), 'queued');
      encoder.release();
      // The camera made frames 7 and 8 but the recorder only ever saw 9: two missed, before the recorder.
      assert.equal(recorder.pushFrame('overhead', rgbFrame(16, 12, 9, clock.advanceS(3 / 30))), 'queued');
      encoder.release();
      const sidecar = await recorder.stop();
      await recorder.close();
      const overhead = sidecar.streams.find((s) => s.topic === '/overhead/image_raw/compressed')!;
      assert.deepEqual([overhead.received, overhead.written, overhead.dropped, overhead.missed], [7, 4, 3, 2]);
      const wrist = sidecar.streams.find((s) => s.topic === '/wrist/image_raw/compressed')!;
      assert.deepEqual([wrist.received, wrist.written, wrist.dropped, wrist.missed], [2, 2, 0, 0]);
      assert.equal(sidecar.dropsTotal, 5, 'dropped + missed');
      const { messages } = await readBack(new MemoryRandomReader(readFileSync(`${dir}/${sidecar.file}`)));
      const jpegs = messages.filter((m) => m.topic === '/wrist/image_raw/compressed');
      assert.equal(jpegs[1].msg.format, 'bgr8; jpeg compressed bgr8');
      assert.equal(jpegs[1].logTime, 1_000_000_000n + 66_666_666n, 'stamped at capture, not at encode');
    });
  });

  it('keeps each frame\'s capture stamp when the camera reuses its Frame object before the encoder is done', async () => {
    await withTempDir(async (dir) => {
      const clock = new FakeClock();
      const encoder = new ManualEncoder();
      const recorder = new EpisodeRecorder(
        { outputDir: dir, imageFormat: 'jpeg', resetTimeS: 0, monitorIntervalMs: 0 },
        { clock, encoder, log: quiet, statfs: plenty },
      );
      recorder.addCamera({ name: 'wrist', width: 8, height: 6, fps: 30, encoding: 'rgb8' });
      await recorder.start(TOWEL);
      const frame = rgbFrame(8, 6, 1, clock.advanceS(1 / 30));
      const stamps = [frame.stampNs];
      recorder.pushFrame('wrist', frame);
      // As SimCamera and FrameRing do: the same object, refilled for the next capture.
      frame.stampNs = clock.advanceS(1 / 30);
      frame.seq = 2;
      stamps.push(frame.stampNs);
      recorder.pushFrame('wrist', frame);
      encoder.release();
      const sidecar = await recorder.stop();
      await recorder.close();
      const { messages } = await readBack(new MemoryRandomReader(readFileSync(`${dir}/${sidecar.file}`)));
      const frames = messages.filter((m) => m.topic === '/wrist/image_raw/compressed');
      assert.deepEqual(frames.map((m) => m.logTime), stamps);
      assert.deepEqual(frames.map((m) => (m.msg.header as { stamp: { nanosec: number } }).stamp.nanosec), stamps.map((t) => Number(t % 1_000_000_000n)));
    });
  });

  it('records a camera gap, a camera silent until the stop, and a rate warning; the episode goes on', async () => {
    await withTempDir(async (dir) => {
      const clock = new FakeClock();
      const rig = graphRig();
      const events: RecorderEvent[] = [];
      const recorder = new EpisodeRecorder(
        { outputDir: dir, imageFormat: 'raw', resetTimeS: 0, monitorIntervalMs: 0, rateWindowS: 1, gapThresholdS: 0.25 },
        { clock, node: rig.node, log: quiet, statfs: plenty },
      );
      recorder.onEvent((e) => events.push(e));
      recorder.addCamera({ name: 'overhead', width: 4, height: 4, fps: 30, encoding: 'rgb8' });
      recorder.addCamera({ name: 'wrist', width: 4, height: 4, fps: 30, encoding: 'rgb8' });
      await recorder.start(TOWEL);
      let seq = 0;
      let tick = 0;
      const run = (seconds: number, wrist: boolean): void => {
        for (let i = 0; i < Math.round(seconds * 30); i++) {
          const t = clock.advanceS(1 / 30);
          rig.tick(t, tick++);
          recorder.pushFrame('overhead', rgbFrame(4, 4, ++seq, t));
          if (wrist) recorder.pushFrame('wrist', rgbFrame(4, 4, seq, t));
          recorder.poll();
        }
      };
      run(1, true);
      // The overhead camera stops for 1 s (it makes no frames: no seq gap); joint states go on. The wrist camera
      // stops for good.
      for (let i = 0; i < 30; i++) {
        const t = clock.advanceS(1 / 30);
        rig.tick(t, tick++);
        recorder.poll();
      }
      assert.ok(events.some((e) => e.kind === 'stream' && e.event.kind === 'gap_open' && e.event.topic === '/overhead/image_raw'));
      run(1, false);
      const sidecar = await recorder.stop();
      await recorder.close();

      assert.equal(sidecar.complete, true, 'a camera gap does not end the episode');
      const gaps = sidecar.gaps;
      assert.equal(gaps.length, 2, JSON.stringify(gaps));
      const overhead = gaps.find((g) => g.topic === '/overhead/image_raw')!;
      assert.equal(overhead.openAtStop, false);
      assert.ok(Math.abs(overhead.startS - 1) < 0.01 && Math.abs(overhead.endS - 2.033) < 0.01, JSON.stringify(overhead));
      assert.ok(Math.abs(overhead.durationS - 1.033) < 0.01);
      const wrist = gaps.find((g) => g.topic === '/wrist/image_raw')!;
      assert.equal(wrist.openAtStop, true);
      assert.ok(Math.abs(wrist.durationS - 2) < 0.01, JSON.stringify(wrist));
      assert.ok(sidecar.rateWarnings.some((w) => w.topic === '/overhead/image_raw' && w.achievedHz < 27));
      const joints = sidecar.streams.find((s) => s.topic === '/joint_states')!;
      assert.equal(joints.written, 90, 'joint states were recorded through the gap');
      assert.equal(sidecar.dropsTotal, 0, 'a silent camera is a gap, not a drop');

      const { messages } = await readBack(new MemoryRandomReader(readFileSync(`${dir}/${sidecar.file}`)));
      const logged = messages.filter((m) => m.topic === '/recorder/events').map((m) => JSON.parse(m.msg.data as string).event);
      assert.ok(logged.includes('camera_gap') && logged.includes('rate_low'), logged.join(','));
    });
  });

  it('records configured gripper, wrench and operator-command topics with their roles', async () => {
    await withTempDir(async (dir) => {
      const clock = new FakeClock();
      const rig = graphRig();
      const recorder = new EpisodeRecorder({
        outputDir: dir, resetTimeS: 0, monitorIntervalMs: 0,
        topics: [
          { topic: '/joint_states', type: 'sensor_msgs/msg/JointState', role: 'state' },
          { topic: '/arm_controller/joint_trajectory', type: 'trajectory_msgs/msg/JointTrajectory', role: 'action' },
          { topic: '/gripper/joint_states', type: 'sensor_msgs/msg/JointState', role: 'gripper' },
          { topic: '/wrist/wrench', type: 'geometry_msgs/msg/WrenchStamped', role: 'wrench' },
          { topic: '/operator/commands', type: 'std_msgs/msg/String', role: 'events' },
        ],
      }, { clock, node: rig.node, log: quiet, statfs: plenty });
      const gripper = rig.node.createPublisher<JointState>(MsgTypes.JointState, '/gripper/joint_states');
      const wrench = rig.node.createPublisher<WrenchStamped>(MsgTypes.WrenchStamped, '/wrist/wrench');
      const commands = rig.node.createPublisher<StringMsg>(MsgTypes.StringMsg, '/operator/commands');
      await recorder.start(TOWEL);
      for (let i = 0; i < 10; i++) {
        const t = clock.advanceS(0.01);
        const header = { stamp: timeFromNs(t), frame_id: 'tool0' };
        gripper.publish({ header, name: ['gripper'], position: [0.02], velocity: [], effort: [1.5] });
        wrench.publish({ header, wrench: { force: { x: 0, y: 0, z: -2 - i }, torque: { x: 0, y: 0, z: 0 } } });
        if (i === 4) commands.publish({ data: JSON.stringify({ intent: 'label', label: 'success' }) });
        rig.graph.drain();
      }
      const sidecar = await recorder.stop();
      await recorder.close();
      const by = new Map(sidecar.streams.map((r) => [r.topic, r]));
      assert.equal(by.get('/gripper/joint_states')?.written, 10);
      assert.equal(by.get('/wrist/wrench')?.role, 'wrench');
      assert.equal(by.get('/wrist/wrench')?.written, 10);
      assert.equal(by.get('/operator/commands')?.written, 1);
      const { messages } = await readBack(new MemoryRandomReader(readFileSync(`${dir}/${sidecar.file}`)));
      const forces = messages.filter((m) => m.topic === '/wrist/wrench').map((m) => (m.msg.wrench as WrenchStamped['wrench']).force.z);
      assert.deepEqual(forces, [-2, -3, -4, -5, -6, -7, -8, -9, -10, -11]);
    });
  });

  it('encodes JPEG with OpenCV off the main thread', { timeout: 60_000 }, async (t) => {
    const cv = openCvOrSkip(t);
    if (!cv) return;
    await withTempDir(async (dir) => {
      const clock = new FakeClock();
      const recorder = new EpisodeRecorder(
        { outputDir: dir, imageFormat: 'jpeg', resetTimeS: 0, monitorIntervalMs: 0 },
        { clock, log: quiet, statfs: plenty },
      );
      recorder.addCamera({ name: 'overhead', width: 64, height: 48, fps: 30, encoding: 'rgb8' });
      await recorder.start(TOWEL);
      for (let i = 1; i <= 10; i++) {
        await recorder.whenCapacity();
        const frame = rgbFrame(64, 48, i, clock.advanceS(1 / 30));
        frame.data.fill(0);
        for (let p = 0; p < 64 * 48; p++) frame.data[3 * p] = 200; // pure red in RGB
        assert.notEqual(recorder.pushFrame('overhead', frame), 'dropped');
      }
      const sidecar = await recorder.stop();
      await recorder.close();
      assert.equal(sidecar.streams.find((s) => s.role === 'camera')?.written, 10);
      const { messages } = await readBack(new MemoryRandomReader(readFileSync(`${dir}/${sidecar.file}`)));
      const jpeg = messages.find((m) => m.topic === '/overhead/image_raw/compressed')!.msg.data as Uint8Array;
      assert.deepEqual([jpeg[0], jpeg[1]], [0xff, 0xd8], 'a JPEG');
      const decoded = cv.imdecode(Buffer.from(jpeg));
      const { x: b, y: g, z: r } = decoded.at(24, 32) as unknown as { x: number; y: number; z: number };
      assert.ok(r > 180 && g < 30 && b < 30, `decoded BGR ${b},${g},${r}: the RGB frame came back red`);
    });
  });
});
