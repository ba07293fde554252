import type {
  EpisodeMsg, EpisodesMsg, OpsClientMessage, RecorderStatusWire,
} from '../../server/ops-protocol.js';
import { CameraPanel } from './camera-panel.js';
import type { DecodedFrame } from '../../server/ops-protocol.js';
import type { SceneBinWire, SceneObjectWire } from '../../server/protocol.js';

/** What the replay drives: the 3D view's arm. */
export interface ReplayTarget {
  setJointNames(names: readonly string[]): void;
  setPositions(position: readonly number[]): void;
  /** The recorded objects at the replay time (episodes recorded with /scene). */
  setScene(objects: SceneObjectWire[], bins: SceneBinWire[]): void;
  /** Replay ended: back to the live arm. */
  restoreLive(): void;
}

/**
 * Recorder controls (start, stop, discard, re-record, task, object, label, notes) and the episode browser: pick an
 * episode, scrub its timeline, and the arm in the 3D view takes the recorded pose while the camera panels show the
 * recorded frame nearest that time (asked from the server per scrub, newest request only).
 */
export class EpisodeBrowser {
  readonly root: HTMLElement;
  /** What the tests read. */
  readonly hooks = {
    episodes: 0, loaded: '' as string, timeS: 0, pose: [] as number[], replayFrames: 0, sceneSamples: 0, sceneShownT: -1,
    recorder: null as RecorderStatusWire | null,
  };
  episode: EpisodeMsg | undefined;
  readonly #list: HTMLElement;
  readonly #slider: HTMLInputElement;
  readonly #time: HTMLElement;
  readonly #status: HTMLElement;
  readonly #cams: HTMLElement;
  readonly #panels = new Map<string, CameraPanel>();
  #frameTimer: number | undefined;

  constructor(readonly send: (m: OpsClientMessage) => void, readonly target: ReplayTarget) {
    this.root = document.createElement('section');
    this.root.className = 'ops-page episodes-page';
    this.root.innerHTML = `
      <h2>Demonstrations</h2>
      <div class="recorder">
        <div class="rec-status" data-rec-status>recorder: —</div>
        <label>task <input data-task placeholder="fold the towel into bin 1" maxlength="200"></label>
        <label>object <input data-object-name placeholder="towel" maxlength="200">
          <select data-object-category><option>cloth</option><option>bag</option><option>cardboard</option><option selected>rigid</option></select></label>
        <div class="buttons">
          <button data-rec="start">● start</button><button data-rec="stop">■ stop</button>
          <button data-rec="discard">discard</button><button data-rec="rerecord">re-record</button>
        </div>
        <label>notes <input data-notes maxlength="1000"></label>
        <div class="buttons"><button data-label="success">✓ success</button><button data-label="failure">✗ failure</button></div>
      </div>
      <h3>Episodes <button data-refresh>refresh</button></h3>
      <ul class="episode-list" data-episodes></ul>
      <div class="replay" data-replay hidden>
        <div><span data-replay-name></span> <span data-replay-time>0.00 s</span> <button data-replay-close>back to live</button></div>
        <input type="range" min="0" max="1000" value="0" step="1" data-timeline>
        <div class="replay-cams" data-replay-cams></div>
      </div>`;
    this.#list = this.root.querySelector('[data-episodes]')!;
    this.#slider = this.root.querySelector('[data-timeline]')!;
    this.#time = this.root.querySelector('[data-replay-time]')!;
    this.#status = this.root.querySelector('[data-rec-status]')!;
    this.#cams = this.root.querySelector('[data-replay-cams]')!;
    const q = <T extends HTMLElement>(sel: string): T => this.root.querySelector<T>(sel)!;
    this.root.querySelectorAll<HTMLButtonElement>('[data-rec]').forEach((b) => b.addEventListener('click', () => {
      const action = b.dataset.rec!;
      if (action === 'start') {
        const task = q<HTMLInputElement>('[data-task]').value.trim();
        const name = q<HTMLInputElement>('[data-object-name]').value.trim();
        const category = q<HTMLSelectElement>('[data-object-category]').value as 'cloth';
        this.send({ op: 'recorder_start', ...(task ? { task } : {}), ...(name ? { object: { name, category } } : {}) });
      } else {
        this.send({ op: `recorder_${action}` as 'recorder_stop' });
      }
    }));
    this.root.querySelectorAll<HTMLButtonElement>('[data-label]').forEach((b) => b.addEventListener('click', () => {
      const notes = q<HTMLInputElement>('[data-notes]').value;
      this.send({ op: 'recorder_label', label: b.dataset.label as 'success', ...(notes ? { notes } : {}) });
    }));
    q('[data-refresh]').addEventListener('click', () => this.refresh());
    q('[data-replay-close]').addEventListener('click', () => this.close());
    this.#slider.addEventListener('input', () => this.seek((Number(this.#slider.value) / 1000) * (this.episode?.durationS ?? 0)));
  }

  get replaying(): boolean { return this.episode !== undefined; }

  refresh(): void {
    this.send({ op: 'episodes_list' });
  }

  recorderStatus(s: RecorderStatusWire): void {
    this.hooks.recorder = s;
    this.#status.textContent = s.available
      ? `recorder: ${s.phase}${s.episodeIndex !== null ? ` · episode ${s.episodeIndex}` : ''}${s.phase === 'recording' ? ` · ${s.elapsedS.toFixed(1)} s` : ''}${s.label ? ` · ${s.label}` : ''}`
      : `recorder: unavailable${s.message ? ` (${s.message})` : ''}`;
    this.#status.dataset.phase = s.phase;
  }

  list(msg: EpisodesMsg): void {
    this.hooks.episodes = msg.episodes.length;
    const frag = document.createDocumentFragment();
    for (const e of msg.episodes) {
      const li = document.createElement('li');
      li.dataset.episode = e.name;
      const dur = e.durationS === null ? '?' : `${e.durationS.toFixed(1)} s`;
      li.textContent = `${e.name} · ${dur} · ${e.task ?? ''} · ${e.label ?? 'unlabelled'}${e.complete ? '' : ' · incomplete'}`;
      li.addEventListener('click', () => this.send({ op: 'episode_load', name: e.name }));
      frag.append(li);
    }
    if (!msg.episodes.length) frag.append(Object.assign(document.createElement('li'), { textContent: `no episodes in ${msg.dir}` }));
    this.#list.replaceChildren(frag);
  }

  load(ep: EpisodeMsg): void {
    this.episode = ep;
    this.hooks.loaded = ep.name;
    this.hooks.sceneSamples = ep.scenes?.length ?? 0;
    this.root.querySelector<HTMLElement>('[data-replay]')!.hidden = false;
    this.root.querySelector('[data-replay-name]')!.textContent = ep.name;
    this.#panels.clear();
    this.#cams.replaceChildren();
    for (const c of ep.cameras) {
      const panel = new CameraPanel({ name: c.name, width: 640, height: 480, fps: 0 }, () => undefined);
      this.#panels.set(c.name, panel);
      this.#cams.append(panel.root);
    }
    this.target.setJointNames(ep.jointNames);
    this.#slider.value = '0';
    this.seek(0);
  }

  /** Poses the arm at `timeS` (linear between samples) and asks for the camera frames there. */
  seek(timeS: number): void {
    const ep = this.episode;
    if (!ep || ep.t.length === 0) return;
    const t = Math.min(Math.max(timeS, 0), ep.durationS);
    let i = 0;
    while (i + 1 < ep.t.length && ep.t[i + 1] <= t) i++;
    const a = ep.positions[i];
    const b = ep.positions[Math.min(i + 1, ep.positions.length - 1)];
    const span = (ep.t[i + 1] ?? ep.t[i]) - ep.t[i];
    const f = span > 0 ? Math.min(1, Math.max(0, (t - ep.t[i]) / span)) : 0;
    const pose = a.map((v, k) => v + (b[k] - v) * f);
    this.target.setPositions(pose);
    const scenes = ep.scenes ?? [];
    if (scenes.length) {
      let k = 0;
      while (k + 1 < scenes.length && scenes[k + 1].t <= t) k++;
      this.target.setScene(scenes[k].objects, ep.bins ?? []);
      this.hooks.sceneShownT = scenes[k].t;
    }
    this.hooks.timeS = t;
    this.hooks.pose = pose;
    this.#time.textContent = `${t.toFixed(2)} s / ${ep.durationS.toFixed(2)} s`;
    // Ask for frames once scrubbing pauses briefly, so dragging does not flood the socket.
    window.clearTimeout(this.#frameTimer);
    this.#frameTimer = window.setTimeout(() => {
      for (const c of ep.cameras) this.send({ op: 'episode_frame', name: ep.name, camera: c.name, timeS: t });
    }, 60);
  }

  frame(f: DecodedFrame): void {
    if (f.header.episode !== this.episode?.name) return;
    this.#panels.get(f.header.camera)?.show(f);
    this.hooks.replayFrames++;
  }

  close(): void {
    this.episode = undefined;
    this.hooks.loaded = '';
    this.root.querySelector<HTMLElement>('[data-replay]')!.hidden = true;
    this.target.restoreLive();
  }
}
