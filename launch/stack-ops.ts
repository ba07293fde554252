// The operations side of the sim stack's dashboard: the fleet (over the stack's broker, as a read-only user),
// timing metrics from the loop and the graph, live cameras, the recorder controls and the episode browser. It is
// all side taps: it reads stats when a client asks, and renders cameras on its own timer.
import { resolve } from 'node:path';
import type { InProcGraph } from '../runtime/graph/index.js';
import type { Clock, FixedRateLoop } from '../runtime/loop/index.js';
import type { EpisodeControl } from '../runtime/recorder/episode-control.js';
import type { SimWorldHandle } from '../sim/sim-arm-driver.js';
import type { DashboardServer } from '../dashboard/server/dashboard-server.js';
import { EpisodeLibrary } from '../dashboard/server/episode-library.js';
import type { FleetConnectOptions } from '../dashboard/server/fleet-monitor.js';
import { OpsHub } from '../dashboard/server/ops-hub.js';
import type { MetricsSample } from '../dashboard/server/ops-protocol.js';
import { EpisodeControlPort } from '../dashboard/server/recorder-port.js';
import { StackCameras } from './stack-cameras.js';
import { StackTiming } from './stack-timing.js';

export interface StackOpsHost {
  graph: InProcGraph;
  loop: FixedRateLoop;
  clock: Clock;
  sim: SimWorldHandle;
}

export interface StackOpsSettings {
  robot: string;
  /** Live camera panels; fps 0 turns them off. */
  cameras: { fps: number; names: readonly ('overhead' | 'wrist')[]; detect: boolean };
  /** Where the recorder writes episodes (the browser lists them). */
  episodesDir: string;
  /** The recorder, once it runs; undefined: the controls say it is unavailable. */
  recorder: () => EpisodeControl | undefined;
  task: string;
  log: (line: string) => void;
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

export class StackOps {
  readonly hub: OpsHub;
  readonly #cameras: StackCameras | undefined;
  readonly #timing: StackTiming;
  readonly #host: StackOpsHost;
  readonly #log: (line: string) => void;

  constructor(host: StackOpsHost, settings: StackOpsSettings) {
    this.#host = host;
    this.#log = settings.log;
    this.#timing = new StackTiming(host.graph.createNode('dashboard_timing'), 1 / host.loop.stats().rateHz, () => host.clock.nowNs());
    this.hub = new OpsHub({
      localRobot: settings.robot,
      metrics: () => this.#sample(),
      recorder: new EpisodeControlPort(settings.recorder, {
        task: settings.task, operator: 'dashboard', object: { name: 'box', category: 'rigid' },
      }),
      episodes: new EpisodeLibrary(resolve(settings.episodesDir)),
      log: (level, message) => settings.log(`[dashboard] ${level}: ${message}`),
    });
    if (settings.cameras.fps > 0 && settings.cameras.names.length) {
      this.#cameras = new StackCameras(host.sim.world, this.hub.cameras, { ...settings.cameras, log: settings.log }, () => host.clock.nowNs());
    }
  }

  /** Hands the hub to the dashboard and starts the cameras; call before dashboard.start(). */
  async attach(dashboard: DashboardServer): Promise<void> {
    dashboard.useOps(this.hub);
    await this.#cameras?.start();
  }

  /** Watches the broker's fleet; a failure is logged, never fatal: the robot runs without a fleet page. */
  async connectFleet(options: FleetConnectOptions | undefined): Promise<void> {
    if (!options) {
      this.#log('armstack: fleet page off: no read-only MQTT user for the dashboard (set ARMSTACK_DASHBOARD_MQTT_USER/PASSWORD)');
      return;
    }
    try {
      await this.hub.fleet.connect(options);
    } catch (err) {
      this.#log(`armstack: fleet page off: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await this.#cameras?.stop();
    this.#timing.close();
    await this.hub.stop();
  }

  #sample(): MetricsSample {
    const t = this.#timing;
    // Not loop.stats(): it sorts the whole run's samples (up to 65,536 per account) on every call.
    const pct = (w: typeof t.jitterMs, p: number): number => (w.count ? round(w.percentile(p)) : 0);
    const topicRates: Record<string, number> = {};
    for (const s of this.#host.graph.topicStatistics()) if (s.publishers > 0) topicRates[s.topic] = round(s.rateHz);
    // A stale value would plot a flat line while nobody watches the camera (and so nothing runs the model).
    const cams = this.#cameras;
    const inference = cams && performance.now() - cams.inferenceAtMs < 2000 ? cams.inferenceMs : undefined;
    return {
      at: Date.now(),
      jitterP50Ms: pct(t.jitterMs, 50), jitterP99Ms: pct(t.jitterMs, 99),
      latencyP50Ms: pct(t.latencyMs, 50), latencyP99Ms: pct(t.latencyMs, 99),
      inferenceMs: inference === undefined ? null : round(inference),
      loopRateHz: topicRates['/joint_states'] ?? 0,
      topicRates,
    };
  }
}
