// Child process for episode-crash.test.ts: an EpisodeRecorder recording joint states at ~200 Hz (through the
// in-process graph) and a small raw camera at 30 Hz until it is killed. Prints `p SEQ STAMP_NS` after each joint
// state, with wall-clock stamps (Date.now), strictly increasing, so the test can compare them with its kill time.
// usage: node --import tsx episode-child.ts OUT_DIR
import { InProcGraph } from '../../graph/index.js';
import { MsgTypes, timeFromNs, type JointState } from '../../messages/index.js';
import { EpisodeRecorder } from '../episode-recorder.js';
import { TOWEL, rgbFrame } from './recorder-fixtures.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: episode-child.ts OUT_DIR');

let lastNs = 0n;
const clock = {
  nowNs(): bigint {
    let ns = BigInt(Date.now()) * 1_000_000n;
    if (ns <= lastNs) ns = lastNs + 1n;
    lastNs = ns;
    return ns;
  },
};
const graph = new InProcGraph();
const node = graph.createNode('crash_child');
const joints = node.createPublisher<JointState>(MsgTypes.JointState, '/joint_states');
const recorder = new EpisodeRecorder({ outputDir: dir, imageFormat: 'raw', resetTimeS: 0 }, { clock, node, log: () => undefined });
recorder.addCamera({ name: 'wrist', width: 64, height: 48, fps: 30, encoding: 'rgb8' });
await recorder.start(TOWEL);
process.stdout.write('ready\n');

const startMs = Date.now();
let seq = 0;
let frame = 0;
setInterval(() => {
  const due = Math.floor((Date.now() - startMs) / 5) + 1;
  for (; seq < due; seq++) {
    const ns = clock.nowNs();
    joints.publish({
      header: { stamp: timeFromNs(ns), frame_id: String(seq) }, name: ['j1', 'j2'],
      position: [seq * 0.001, -seq * 0.001], velocity: [], effort: [],
    });
    process.stdout.write(`p ${seq} ${ns}\n`);
  }
  const framesDue = Math.floor(((Date.now() - startMs) * 30) / 1000);
  for (; frame < framesDue; frame++) recorder.pushFrame('wrist', rgbFrame(64, 48, frame + 1, clock.nowNs()));
}, 5);
