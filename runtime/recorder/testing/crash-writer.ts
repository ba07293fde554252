// Child process for crash-safety.test.ts: records joint states at about 200 Hz and a 30 Hz camera until it is
// killed, printing `p SEQ STAMP_NS` after each joint state so the test knows what was written and when.
// Stamps are wall-clock nanoseconds (Date.now), strictly increasing, so the test can compare them with its kill time.
// usage: node --import tsx crash-writer.ts OUT.mcap
import { McapEpisodeWriter } from '../mcap-episode-writer.js';
import { compressedImage, jointState } from './mcap-test-helpers.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: crash-writer.ts OUT.mcap');

const writer = await McapEpisodeWriter.create(path);
const joints = writer.addChannel('/joint_states', 'sensor_msgs/msg/JointState');
const camera = writer.addChannel('/wrist/image_raw/compressed', 'sensor_msgs/msg/CompressedImage');
writer.writeMetadata('episode', { task: 'crash test', operator: 'Zoë' });

const PERIOD_MS = 5;
const startMs = Date.now();
let seq = 0;
let lastNs = 0n;
process.stdout.write('ready\n');
// Timers run late on a busy machine: each tick writes every message due by now, keeping 200 Hz on average.
setInterval(() => {
  const due = Math.floor((Date.now() - startMs) / PERIOD_MS) + 1;
  for (; seq < due; seq++) {
    let ns = BigInt(Date.now()) * 1_000_000n;
    if (ns <= lastNs) ns = lastNs + 1n;
    lastNs = ns;
    writer.write(joints, ns, ns, jointState(seq, ns));
    if (seq % 7 === 0) writer.write(camera, ns, ns, compressedImage(seq, ns));
    process.stdout.write(`p ${seq} ${ns}\n`);
  }
}, PERIOD_MS);
