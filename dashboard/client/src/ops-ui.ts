import './ops.css';
import type { ServerMessage } from '../../server/protocol.js';
import { decodeFrame, type CameraInfoWire, type OpsClientMessage, type OpsStream } from '../../server/ops-protocol.js';
import { CameraPanel } from './camera-panel.js';
import { EpisodeBrowser, type ReplayTarget } from './episode-browser.js';
import { EventLog } from './event-log.js';
import { FleetPage } from './fleet-page.js';
import { PlotsPanel } from './plots-panel.js';

declare global {
  interface Window { __armstackOps: OpsHooks }
}

type Route = 'view' | 'fleet' | 'monitor' | 'episodes';
const ROUTES: Route[] = ['view', 'fleet', 'monitor', 'episodes'];

export interface OpsHooks {
  route: Route;
  fleetRows: number;
  fleetRenders: number;
  cameraFrames: Record<string, number>;
  detectionsDrawn: number;
  metricsSamples: number;
  eventLog: number;
  voiceLog: number;
  episodes: EpisodeBrowser['hooks'];
}

/**
 * The operations pages on top of the 3D view, on hash routes: #/ (3D view with live camera panels), #/fleet,
 * #/monitor (plots, event log, voice log) and #/episodes (recorder controls and replay). Each page asks the server
 * only for the streams it shows, so a page left on the 3D view costs no fleet or metrics traffic.
 */
export class OpsUi {
  readonly hooks: OpsHooks;
  readonly #send: (m: OpsClientMessage) => void;
  readonly #fleet: FleetPage;
  readonly #plots = new PlotsPanel();
  readonly #events = new EventLog('Events and commands', (e) => e.kind !== 'voice', 'events');
  readonly #voice = new EventLog('Voice', (e) => e.kind === 'voice', 'voice');
  readonly #episodes: EpisodeBrowser;
  readonly #cameraDock: HTMLElement;
  readonly #cameras = new Map<string, CameraPanel>();
  readonly #pages = new Map<Route, HTMLElement>();
  #route: Route = 'view';
  #open = false;

  constructor(send: (m: OpsClientMessage) => void, replay: ReplayTarget, header: HTMLElement) {
    this.#send = send;
    this.#fleet = new FleetPage((r) => {
      if (r.local) location.hash = '#/';
      else if (r.dashboardUrl) window.open(r.dashboardUrl, '_blank');
    });
    this.#episodes = new EpisodeBrowser(send, replay);
    this.hooks = {
      route: 'view', fleetRows: 0, fleetRenders: 0, cameraFrames: {}, detectionsDrawn: 0, metricsSamples: 0,
      eventLog: 0, voiceLog: 0, episodes: this.#episodes.hooks,
    };
    const nav = document.createElement('nav');
    nav.className = 'ops-nav';
    for (const [route, label] of [['view', '3D'], ['fleet', 'Fleet'], ['monitor', 'Monitor'], ['episodes', 'Episodes']] as const) {
      const a = document.createElement('a');
      a.href = route === 'view' ? '#/' : `#/${route}`;
      a.textContent = label;
      a.dataset.route = route;
      nav.append(a);
    }
    header.querySelector('.brand')?.after(nav);

    this.#cameraDock = document.createElement('aside');
    this.#cameraDock.className = 'camera-dock';
    const monitor = document.createElement('section');
    monitor.className = 'ops-page monitor-page';
    const logs = document.createElement('div');
    logs.className = 'logs';
    logs.append(this.#events.root, this.#voice.root);
    monitor.append(this.#plots.root, logs);
    this.#pages.set('view', this.#cameraDock);
    this.#pages.set('fleet', this.#fleet.root);
    this.#pages.set('monitor', monitor);
    this.#pages.set('episodes', this.#episodes.root);
    for (const el of this.#pages.values()) document.body.append(el);
    window.addEventListener('hashchange', () => this.#applyRoute());
    this.#applyRoute();
  }

  get replaying(): boolean { return this.#episodes.replaying; }

  /** The socket (re)opened: ask again for what the current page shows. */
  connected(): void {
    this.#open = true;
    this.#subscribe();
  }

  disconnected(): void {
    this.#open = false;
  }

  handle(msg: ServerMessage): void {
    switch (msg.op) {
      case 'fleet':
        this.#fleet.update(msg);
        window.setTimeout(() => {
          this.hooks.fleetRows = this.#fleet.rows;
          this.hooks.fleetRenders = this.#fleet.renders;
        }, 300);
        break;
      case 'metrics':
        this.#plots.add(msg.sample);
        this.hooks.metricsSamples = this.#plots.samples;
        break;
      case 'log':
        this.#events.add(msg.entries);
        this.#voice.add(msg.entries);
        this.#voice.ackFor(msg.entries);
        this.hooks.eventLog = this.#events.count;
        this.hooks.voiceLog = this.#voice.count;
        break;
      case 'cameras':
        this.#setCameras(msg.cameras, msg.note);
        break;
      case 'recorder_status':
        this.#episodes.recorderStatus(msg.status);
        break;
      case 'episodes':
        this.#episodes.list(msg);
        break;
      case 'episode':
        this.#episodes.load(msg);
        break;
      default:
        break;
    }
  }

  binary(data: ArrayBuffer): void {
    const frame = decodeFrame(new Uint8Array(data));
    if (!frame) return;
    if (frame.header.kind === 'replay') {
      this.#episodes.frame(frame);
      return;
    }
    const panel = this.#cameras.get(frame.header.camera);
    if (!panel) return;
    panel.show(frame);
    // Counted after the draw, so the hook means "frames shown".
    queueMicrotask(() => {
      this.hooks.cameraFrames[frame.header.camera] = panel.frames;
      this.hooks.detectionsDrawn = [...this.#cameras.values()].reduce((n, p) => n + p.detectionsDrawn, 0);
    });
  }

  #setCameras(cameras: CameraInfoWire[], note: string | undefined): void {
    this.#cameras.clear();
    this.#cameraDock.replaceChildren();
    if (note) this.#cameraDock.append(Object.assign(document.createElement('p'), { className: 'note', textContent: note }));
    for (const info of cameras) {
      const panel = new CameraPanel(info, (camera, seq) => this.#send({ op: 'camera_ack', camera, seq }));
      this.#cameras.set(info.name, panel);
      this.#cameraDock.append(panel.root);
    }
    this.#subscribe();
  }

  #applyRoute(): void {
    const name = location.hash.replace(/^#\/?/, '').split(/[/?]/)[0];
    this.#route = (ROUTES as string[]).includes(name) ? (name as Route) : 'view';
    this.hooks.route = this.#route;
    document.body.dataset.route = this.#route;
    for (const [route, el] of this.#pages) el.hidden = route !== this.#route;
    document.querySelectorAll<HTMLAnchorElement>('.ops-nav a').forEach((a) => a.classList.toggle('active', a.dataset.route === this.#route));
    if (this.#route === 'episodes') this.#episodes.refresh();
    this.#subscribe();
  }

  #subscribe(): void {
    if (!this.#open) return;
    const streams: OpsStream[] = this.#route === 'fleet' ? ['fleet']
      : this.#route === 'monitor' ? ['metrics', 'log']
        : this.#route === 'episodes' ? ['recorder'] : [];
    this.#send({ op: 'watch', streams });
    // Cameras only where they are on screen: the robot renders a camera only while someone watches it.
    const cams = this.#route === 'view' ? [...this.#cameras.keys()] : [];
    this.#send({ op: 'camera_subscribe', cameras: cams });
  }
}
