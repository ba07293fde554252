// `armstack bench dashboard`: the dashboard server under its intended load, in the real sim stack (as `armstack
// launch sim` wires it, MQTT off).
// - 5 clients (a child process, real sockets) each taking the 30 Hz state and one camera, acknowledging frames
//   as a page does: the stack process's CPU share and RSS, and the bytes each client receives per second;
//   the same CPU share with no client at all, for the server's own part;
// - the e-stop: a click on the page's STOP button in headless Chromium -> the sim ARM DRIVER's hold(), measured
//   from just before the click is dispatched to the moment hold() runs. Measures; asserts nothing.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { packageRoot } from '../runtime/package-root.js';
import { loadLaunchDescription } from './launch-description.js';
import { SimStack } from './sim-stack.js';
import type { Bench } from './benches.js';
import { HoldWatch } from './hold-watch.js';

export interface DashboardBenchResult {
  bench: 'dashboard';
  clients: number;
  seconds: number;
  /** CPU time of the stack process (sim + loop + dashboard server) per wall second, 1 = one core. */
  serverCpuShare: number;
  /** The same with no dashboard client connected. */
  serverCpuShareIdle: number;
  serverRssMB: number;
  bytesPerSecPerClient: number;
  stateHzPerClient: number;
  cameraFpsPerClient: number | null;
  estopClickP50Ms: number | null;
  estopClickP99Ms: number | null;
  estopClickMaxMs: number | null;
  estopSamples: number;
  /** The same stop sent straight on a socket from this process (no browser): the server's share of the click. */
  estopSocketP50Ms: number;
  estopSocketP99Ms: number;
  notes: string[];
}

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

async function cpuShareOver(seconds: number): Promise<number> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
}

interface ClientCounters { bytes: number; jointFrames: number; cameraFrames: number; errors: number; camera: string | null }

async function measureClients(url: string, cookie: string, clients: number, seconds: number): Promise<{ cpuShare: number; counters: ClientCounters[] }> {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const child = fork(new URL(`./dashboard-bench-clients${ext}`, import.meta.url), [JSON.stringify({ url, cookie, clients })], { stdio: 'inherit' });
  try {
    const messages: ((m: unknown) => void)[] = [];
    child.on('message', (m) => messages.shift()?.(m));
    const next = (): Promise<unknown> => new Promise((resolve, reject) => {
      messages.push(resolve);
      child.once('exit', (code) => reject(new Error(`bench clients exited (${code})`)));
    });
    await next(); // ready
    // A second for the camera subscriptions to start streaming before counting.
    await new Promise((r) => setTimeout(r, 1000));
    child.send({ cmd: 'start' });
    const cpuShare = await cpuShareOver(seconds);
    const report = next();
    child.send({ cmd: 'stop' });
    const { counters } = (await report) as { counters: ClientCounters[] };
    return { cpuShare, counters };
  } finally {
    setTimeout(() => child.kill(), 1000).unref();
  }
}

/** `estop` on a plain socket -> driver.hold, to tell the server's part of the click from the browser's. */
async function measureEstopSocket(stack: SimStack, cookie: string, samples: number): Promise<number[]> {
  const holds = new HoldWatch(stack.sim.driver);
  const ws = new WebSocket(new URL('ws', stack.url).href.replace(/^http/, 'ws'), 'armstack.v1', { headers: { cookie } });
  try {
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const out: number[] = [];
    for (let i = 0; i < samples + 5; i++) {
      holds.reset();
      const t0 = performance.now();
      ws.send('{"op":"estop","reason":"bench"}');
      const ms = await holds.waitSince(t0, 5000);
      if (ms === undefined) throw new Error('dashboard bench: no driver.hold within 5 s of a socket e-stop');
      if (i >= 5) out.push(ms);
      stack.estop.reset({ operator: 'bench', role: 'supervisor' });
      await new Promise((r) => setTimeout(r, 20));
    }
    return out.sort((a, b) => a - b);
  } finally {
    ws.close();
    holds.restore();
  }
}

async function measureEstopClicks(stack: SimStack, samples: number, log: (l: string) => void): Promise<number[] | string> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not installed: e-stop figures are null`;
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    return 'playwright-core not installed (a dev dependency): e-stop figures are null';
  }
  const holds = new HoldWatch(stack.sim.driver);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 960, height: 600 } });
    await page.goto(stack.loginUrl()!);
    await page.waitForFunction(() => {
      const a = (globalThis as { __armstack?: { connected: boolean; robotLoaded: boolean; control: { user: string | null } } }).__armstack;
      return a?.connected && a.robotLoaded && a.control.user !== null;
    }, undefined, { timeout: 60_000 });
    const stop = page.locator('[data-estop]');
    const warmup = 5;
    const out: number[] = [];
    log(`bench dashboard: ${samples} e-stop clicks in headless Chromium`);
    for (let i = 0; i < warmup + samples; i++) {
      // The page must show the release first: the next click is then a fresh stop on a running arm.
      await page.waitForFunction(() => (globalThis as { __armstack?: { control: { safety: { estop: boolean } | null } } }).__armstack?.control.safety?.estop === false);
      const box = await stop.boundingBox();
      if (!box) return 'the STOP button is not on the page';
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      holds.reset();
      const t0 = performance.now();
      await page.mouse.down();
      const ms = await holds.waitSince(t0, 5000);
      await page.mouse.up();
      if (ms === undefined) throw new Error('dashboard bench: no driver.hold within 5 s of the e-stop click');
      if (i >= warmup) out.push(ms);
      stack.estop.reset({ operator: 'bench', role: 'supervisor' });
      await new Promise((r) => setTimeout(r, 50));
    }
    return out;
  } finally {
    await browser.close();
    holds.restore();
  }
}

export const dashboardBench: Bench<DashboardBenchResult> = {
  description: 'dashboard: 5 clients at 30 Hz state + one camera each (CPU, RSS, bytes/s), e-stop click in Chromium -> driver.hold',
  async run({ seconds, log }) {
    const window = seconds ?? 10;
    const clients = 5;
    const notes: string[] = [];
    const launch = loadLaunchDescription(join(packageRoot(), 'launch', 'sim.launch.yaml'));
    const stack = new SimStack(launch, { port: 0, bridge: false, log: () => undefined });
    await stack.start();
    try {
      log(`bench dashboard: stack up at ${stack.url}; ${window} s with no client`);
      await new Promise((r) => setTimeout(r, 1000));
      const idle = await cpuShareOver(Math.min(window, 5));
      const token = stack.loginUrl()!;
      const res = await fetch(token, { redirect: 'manual' });
      const cookie = res.headers.get('set-cookie')?.split(';')[0];
      if (!cookie) throw new Error('dashboard bench: the one-time login did not give a session');
      log(`bench dashboard: ${clients} clients for ${window} s`);
      const { cpuShare, counters } = await measureClients(stack.url!, cookie, clients, window);
      const rss = process.memoryUsage().rss / (1 << 20);
      const cameras = counters.filter((c) => c.camera !== null).length;
      if (cameras < clients) notes.push(`camera streams: ${cameras}/${clients} clients got a camera (the server offered ${cameras ? 'fewer cameras than clients' : 'none'}); state only for the rest`);
      const errors = counters.reduce((s, c) => s + c.errors, 0);
      if (errors) notes.push(`${errors} error statuses or undecodable frames at the clients`);
      const perClient = (f: (c: ClientCounters) => number): number => counters.reduce((s, c) => s + f(c), 0) / counters.length / window;

      const socketStops = await measureEstopSocket(stack, cookie, 100);
      const clicks = await measureEstopClicks(stack, Math.max(20, window * 5), log);
      let sorted: number[] = [];
      if (typeof clicks === 'string') notes.push(clicks);
      else sorted = [...clicks].sort((a, b) => a - b);
      return {
        bench: 'dashboard',
        clients,
        seconds: window,
        serverCpuShare: round(cpuShare, 3),
        serverCpuShareIdle: round(idle, 3),
        serverRssMB: round(rss, 1),
        bytesPerSecPerClient: Math.round(perClient((c) => c.bytes)),
        stateHzPerClient: round(perClient((c) => c.jointFrames), 1),
        cameraFpsPerClient: cameras ? round(perClient((c) => c.cameraFrames), 1) : null,
        estopClickP50Ms: sorted.length ? round(quantile(sorted, 0.5)) : null,
        estopClickP99Ms: sorted.length ? round(quantile(sorted, 0.99)) : null,
        estopClickMaxMs: sorted.length ? round(sorted[sorted.length - 1]) : null,
        estopSamples: sorted.length,
        estopSocketP50Ms: round(quantile(socketStops, 0.5)),
        estopSocketP99Ms: round(quantile(socketStops, 0.99)),
        notes,
      };
    } finally {
      await stack.stop();
      await stack.close();
    }
  },
  format(r) {
    const ms = (x: number | null): string => (x === null ? 'n/a' : `${x} ms`);
    return [
      `dashboard benchmark (${r.clients} clients, ${r.seconds} s)`,
      `  stack process CPU ${(r.serverCpuShare * 100).toFixed(1)}% of a core (idle ${(r.serverCpuShareIdle * 100).toFixed(1)}%), RSS ${r.serverRssMB} MB`,
      `  per client: ${(r.bytesPerSecPerClient / 1024).toFixed(1)} KiB/s, state ${r.stateHzPerClient} Hz, camera ${r.cameraFpsPerClient ?? 'n/a'} fps`,
      `  e-stop click -> driver.hold  p50 ${ms(r.estopClickP50Ms)}  p99 ${ms(r.estopClickP99Ms)}  max ${ms(r.estopClickMaxMs)} (${r.estopSamples} clicks)`,
      `  e-stop on a socket -> hold   p50 ${ms(r.estopSocketP50Ms)}  p99 ${ms(r.estopSocketP99Ms)} (no browser)`,
      ...r.notes.map((n) => `  note: ${n}`),
    ].join('\n');
  },
};
