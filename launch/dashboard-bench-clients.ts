// Child process of `armstack bench dashboard`: N dashboard clients on real sockets, each taking the 30 Hz state
// and one camera (acknowledging frames as a page does), counting what arrives. Apart from the server's process so
// the server's CPU figure is the server's alone. Parent → child: 'start' (reset the counters), 'stop' (report).
import WebSocket from 'ws';

interface Args { url: string; cookie: string; clients: number }

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const FRAME_PREFIX = 8;

interface Counters { bytes: number; jointFrames: number; cameraFrames: number; errors: number; camera: string | null }

const counters: Counters[] = [];
const sockets: WebSocket[] = [];

function open(i: number): Promise<void> {
  const c: Counters = { bytes: 0, jointFrames: 0, cameraFrames: 0, errors: 0, camera: null };
  counters.push(c);
  const wsUrl = new URL('ws', args.url).href.replace(/^http/, 'ws');
  const ws = new WebSocket(wsUrl, 'armstack.v1', { headers: { cookie: args.cookie } });
  sockets.push(ws);
  ws.on('message', (data: Buffer, isBinary) => {
    c.bytes += data.length;
    if (isBinary) {
      c.cameraFrames++;
      // ASF1 frame: u32 LE header length at 4, JSON header after the prefix; ack like a page that drew it.
      try {
        const n = data.readUInt32LE(4);
        const header = JSON.parse(data.subarray(FRAME_PREFIX, FRAME_PREFIX + n).toString('utf8')) as { camera: string; seq: number };
        ws.send(JSON.stringify({ op: 'camera_ack', camera: header.camera, seq: header.seq }));
      } catch {
        c.errors++;
      }
      return;
    }
    const msg = JSON.parse(data.toString('utf8')) as { op: string; level?: string; cameras?: { name: string }[] };
    if (msg.op === 'joint_states') c.jointFrames++;
    else if (msg.op === 'cameras' && msg.cameras?.length) {
      c.camera = msg.cameras[i % msg.cameras.length].name;
      ws.send(JSON.stringify({ op: 'camera_subscribe', cameras: [c.camera] }));
    } else if (msg.op === 'status' && msg.level === 'error') c.errors++;
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
}

await Promise.all(Array.from({ length: args.clients }, (_, i) => open(i)));
process.send?.({ ready: true });
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'start') for (const c of counters) Object.assign(c, { bytes: 0, jointFrames: 0, cameraFrames: 0, errors: 0 });
  if (m.cmd === 'stop') {
    process.send?.({ counters });
    for (const ws of sockets) ws.close();
    setTimeout(() => process.exit(0), 200).unref();
  }
});
