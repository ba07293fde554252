import './style.css';
import type { ServerMessage } from '../../server/protocol.js';
import { HeaderBar } from './header-bar.js';
import { chooseRenderQuality } from './render-quality.js';
import { RobotModel } from './robot-model.js';
import { SceneObjects } from './scene-objects.js';
import { SceneView, type ScreenRect } from './scene-view.js';
import { WsClient, defaultSocketUrl } from './ws-client.js';
import { ControlUi, type ControlHooks } from './control-ui.js';
import { ensureLoggedIn } from './login.js';
import { OpsUi } from './ops-ui.js';

/** What end-to-end tests read from the page. */
export interface ArmstackTestHooks {
  /** joint_states frames received. */
  frames: number;
  lastJointStateStampNs: string | null;
  connected: boolean;
  robotLoaded: boolean;
  sceneObjects: number;
  quality: string;
  renderedFrames(): number;
  /** Where the arm is drawn, in canvas CSS pixels. */
  armScreenRect(): ScreenRect | null;
  /** Identity, control, safety and refusals (control-ui.ts). */
  control: ControlHooks;
}

declare global {
  interface Window { __armstack: ArmstackTestHooks }
}

const view = new SceneView(document.querySelector<HTMLElement>('#view')!, chooseRenderQuality());
const header = new HeaderBar(document.querySelector<HTMLElement>('#header')!);
const robot = new RobotModel();
const objects = new SceneObjects();
view.world.add(robot.root, objects.root);
// `client` is created below; the UI only sends after a user acts, long after that.
const controlUi = new ControlUi((m) => client.send(m), view, robot, objects);
// The live joint order, restored when an episode replay (which drives the same arm) ends.
let liveNames: readonly string[] = [];
const opsUi = new OpsUi((m) => client.send(m), {
  setJointNames: (names) => robot.setJointNames(names),
  setPositions: (p) => { robot.setPositions(p); view.invalidate(); },
  setScene: (sceneObjects, bins) => { objects.update({ op: 'scene', stampNs: '0', objects: sceneObjects, bins }); view.invalidate(); },
  restoreLive: () => { robot.setJointNames(liveNames); view.invalidate(); },
}, document.querySelector<HTMLElement>('#header')!);
window.__armstackOps = opsUi.hooks;

const hooks: ArmstackTestHooks = {
  frames: 0,
  lastJointStateStampNs: null,
  connected: false,
  robotLoaded: false,
  sceneObjects: 0,
  quality: view.quality.name,
  renderedFrames: () => view.renderedFrames,
  armScreenRect: () => (robot.loaded ? view.screenRect(robot.root) : null),
  control: controlUi.hooks,
};
window.__armstack = hooks;

let urdfUrlLoaded: string | undefined;

function loadRobot(urdfUrl: string): void {
  const url = new URL(urdfUrl, location.href).href;
  if (url === urdfUrlLoaded) return;
  urdfUrlLoaded = url;
  controlUi.loadGhost(url);
  robot.load(url).then(
    () => {
      hooks.robotLoaded = true;
      view.invalidate();
    },
    (err: unknown) => {
      urdfUrlLoaded = undefined; // try again on the next hello
      header.setMessage(`robot model: ${(err as Error).message}`, 'error');
    },
  );
}

function onMessage(msg: ServerMessage): void {
  controlUi.handle(msg);
  opsUi.handle(msg);
  switch (msg.op) {
    case 'hello':
      header.setRobot(msg.robot);
      document.title = `${msg.robot} · armstack`;
      liveNames = msg.jointNames;
      if (!opsUi.replaying) robot.setJointNames(msg.jointNames);
      loadRobot(msg.urdfUrl);
      break;
    case 'joint_names':
      liveNames = msg.jointNames;
      if (!opsUi.replaying) robot.setJointNames(msg.jointNames);
      break;
    case 'joint_states':
      hooks.frames++;
      hooks.lastJointStateStampNs = msg.stampNs;
      header.tick();
      if (!opsUi.replaying) controlUi.pushState(msg.position);
      view.invalidate();
      break;
    case 'scene':
      if (opsUi.replaying) break; // the replay shows the recorded objects
      objects.update(msg);
      hooks.sceneObjects = objects.objectCount;
      view.fitTable(objects.footprint);
      break;
    case 'status':
      header.setMessage(msg.message, msg.level);
      break;
    case 'pong':
      break;
  }
}

const client = new WsClient({ url: defaultSocketUrl() }, {
  onMessage,
  onBinary: (data) => opsUi.binary(data),
  onState: (state) => {
    hooks.connected = state === 'open';
    if (state !== 'open') controlUi.disconnected();
    if (state === 'open') opsUi.connected();
    else opsUi.disconnected();
    header.setConnection(state);
  },
});
// The socket needs a session: log in first (a no-op when the server has no auth).
void ensureLoggedIn().then(() => client.start());
view.start();
