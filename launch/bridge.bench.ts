// `armstack bench bridge`: the operator's view of the MQTT bridge.
// - command -> ack round trips through the embedded aedes and a real mosquitto (measureBridgeLatency);
// - "stop" published over MQTT -> the sim ARM DRIVER's hold(), through a real headless SimStack with its bridge on
//   a free port: broker, bridge, CommandProcessor, EStopLatch and driver exactly as `armstack launch sim` wires them;
// - voice intent accuracy, stop-word misses and false accepts (evaluateVoice), when pocketsphinx and espeak-ng are
//   installed. Measures; asserts nothing.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { packageRoot } from '../runtime/package-root.js';
import { connectLowLatency } from '../runtime/bridge/mqtt/client.js';
import { DEFAULT_TOPIC_PREFIX, robotTopics } from '../runtime/bridge/mqtt/topics.js';
import { measureBridgeLatency, latencyStats, type BridgeLatency } from '../runtime/bridge/mqtt/bridge.bench.js';
import { DEFAULT_RECOGNIZER_CONFIG } from '../runtime/bridge/voice/recognizer.js';
import { defaultModel } from '../runtime/bridge/voice/jsgf.js';
import { evaluateVoice } from '../runtime/bridge/voice/voice-eval.js';
import { loadLaunchDescription } from './launch-description.js';
import { SimStack } from './sim-stack.js';
import type { Bench } from './benches.js';
import { HoldWatch } from './hold-watch.js';

export interface BridgeBenchResult {
  bench: 'bridge';
  samples: number;
  /** Command publish -> `accepted` ack, embedded aedes. */
  ackP50Ms: number | null;
  ackP99Ms: number | null;
  ackMosquittoP50Ms: number | null;
  ackMosquittoP99Ms: number | null;
  /** "stop" publish -> driver.hold() in a running SimStack (embedded broker). */
  estopP50Ms: number;
  estopP99Ms: number;
  estopMaxMs: number;
  intentAccuracy: number | null;
  stopWordMissRate: number | null;
  falseAcceptRate: number | null;
  notes: string[];
}

const MOSQUITTO = '/usr/sbin/mosquitto';

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, binary)));
}

/** "stop" over MQTT until the sim driver's hold() runs; the latch is released by a supervisor between samples. */
async function measureEstop(samples: number): Promise<ReturnType<typeof latencyStats>> {
  const launch = loadLaunchDescription(join(packageRoot(), 'launch', 'sim.launch.yaml'));
  const stack = new SimStack({ ...launch, bridge: { ...launch.bridge, port: 0 } }, { headless: true, log: () => undefined });
  const holds = new HoldWatch(stack.sim.driver);
  await stack.start();
  const topics = robotTopics({ prefix: DEFAULT_TOPIC_PREFIX, site: launch.bridge.site, robot: launch.robot.name });
  const client = connectLowLatency(stack.bridge!.url, {
    username: 'operator', password: 'operator-dev', protocolVersion: 4, reconnectPeriod: 0, clientId: `bench-${randomUUID().slice(0, 8)}`,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    const warmup = Math.max(5, Math.floor(samples / 10));
    const out: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      holds.reset();
      const body = JSON.stringify({ id: randomUUID(), operator: 'operator', text: 'stop', issuedAt: Date.now(), ttlMs: 5000 });
      const t0 = performance.now();
      client.publish(topics.cmd('operator'), body, { qos: 1 });
      const ms = await holds.waitSince(t0, 5000);
      if (ms === undefined) throw new Error('bridge bench: no driver.hold within 5 s of "stop"');
      if (i >= warmup) out.push(ms);
      stack.estop.reset({ operator: 'bench', role: 'supervisor' });
      // Let the loop run a few ticks between stops, as it would between real ones.
      await new Promise((r) => setTimeout(r, 20));
    }
    return latencyStats(out);
  } finally {
    await client.endAsync(true);
    await stack.close();
  }
}

export const bridgeBench: Bench<BridgeBenchResult> = {
  description: 'MQTT bridge: command -> ack (aedes, mosquitto), "stop" -> driver.hold in the sim stack, voice accuracy',
  async run({ seconds, log }) {
    // --seconds scales the sample count: 100 round trips per second asked for, 300 by default.
    const samples = Math.max(20, Math.round((seconds ?? 3) * 100));
    const notes: string[] = [];
    const brokers = existsSync(MOSQUITTO) ? (['aedes', 'mosquitto'] as const) : (['aedes'] as const);
    if (!existsSync(MOSQUITTO)) notes.push(`${MOSQUITTO} not found: mosquitto figures are null`);
    const latency: BridgeLatency[] = await measureBridgeLatency({ samples, brokers, log });
    const of = (kind: BridgeLatency['broker']) => latency.find((r) => r.broker === kind)?.commandToAccepted;
    for (const r of latency) if (r.skipped) notes.push(`${r.broker} skipped: ${r.skipped}`);

    log(`bench bridge: "stop" -> driver.hold through a SimStack, ${samples} samples`);
    const estop = await measureEstop(samples);

    let voice: { intentAccuracy: number; stopWordMissRate: number; falseAcceptRate: number } | undefined;
    const model = defaultModel();
    const missing = [DEFAULT_RECOGNIZER_CONFIG.binary, 'espeak-ng'].filter((b) => !onPath(b));
    if (!existsSync(model.hmmDir)) missing.push(`model ${model.hmmDir}`);
    if (process.env.ARMSTACK_BENCH_SKIP_VOICE) notes.push('voice figures are null: ARMSTACK_BENCH_SKIP_VOICE is set');
    else if (missing.length) notes.push(`voice figures are null: ${missing.join(', ')} not installed`);
    else {
      log('bench bridge: voice evaluation (espeak-ng -> pocketsphinx); this takes minutes');
      voice = await evaluateVoice({ progress: log });
    }
    const a = of('aedes'), m = of('mosquitto');
    return {
      bench: 'bridge', samples,
      ackP50Ms: a?.p50Ms ?? null, ackP99Ms: a?.p99Ms ?? null,
      ackMosquittoP50Ms: m?.p50Ms ?? null, ackMosquittoP99Ms: m?.p99Ms ?? null,
      estopP50Ms: estop.p50Ms, estopP99Ms: estop.p99Ms, estopMaxMs: estop.maxMs,
      intentAccuracy: voice?.intentAccuracy ?? null, stopWordMissRate: voice?.stopWordMissRate ?? null, falseAcceptRate: voice?.falseAcceptRate ?? null,
      notes,
    };
  },
  format(r) {
    const ms = (x: number | null): string => (x === null ? 'n/a' : `${x} ms`);
    const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
    return [
      `bridge benchmark (${r.samples} samples each)`,
      `  command -> ack, aedes       p50 ${ms(r.ackP50Ms)}  p99 ${ms(r.ackP99Ms)}`,
      `  command -> ack, mosquitto   p50 ${ms(r.ackMosquittoP50Ms)}  p99 ${ms(r.ackMosquittoP99Ms)}`,
      `  "stop" -> driver.hold       p50 ${ms(r.estopP50Ms)}  p99 ${ms(r.estopP99Ms)}  max ${ms(r.estopMaxMs)}`,
      `  voice: intent accuracy ${pct(r.intentAccuracy)}, stop-word misses ${pct(r.stopWordMissRate)}, false accepts ${pct(r.falseAcceptRate)}`,
      ...r.notes.map((n) => `  note: ${n}`),
    ].join('\n');
  },
};
