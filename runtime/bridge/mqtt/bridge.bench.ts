// `armstack bench bridge`: command -> ack round trip and e-stop publish -> onEstop, through the embedded aedes and a
// real mosquitto on loopback, one message in flight at a time. Measures; asserts nothing.
// Standalone: npx tsx runtime/bridge/mqtt/bridge.bench.ts [samples]
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { BROKER_KINDS, brokerSkip, startTestBroker, type BrokerKind } from './testing/brokers.js';
import { ackInbox, command, connectUser, send, startTestBridge } from './testing/harness.js';

export interface LatencyStats {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export interface BridgeLatency {
  broker: BrokerKind;
  /** Publish of a command until its `accepted` ack arrives back at the operator. */
  commandToAccepted?: LatencyStats;
  /** Publish of a command until its `done` ack (the executive answers at once). */
  commandToDone?: LatencyStats;
  /** Publish of "stop" until onEstop runs in the bridge (same process, same clock). */
  estopToOnEstop?: LatencyStats;
  skipped?: string;
}

export interface BridgeLatencyOptions {
  /** Round trips per measurement, after a warm-up of a tenth as many. Default 300. */
  samples?: number;
  brokers?: readonly BrokerKind[];
  log?: (line: string) => void;
}

export function latencyStats(samplesMs: readonly number[]): LatencyStats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    n: sorted.length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
    meanMs: round(sorted.reduce((s, x) => s + x, 0) / (sorted.length || 1)),
  };
}

async function measureOne(kind: BrokerKind, samples: number): Promise<BridgeLatency> {
  const broker = await startTestBroker(kind);
  let estopAt = 0;
  const rig = await startTestBridge(broker, {
    commands: { rateLimit: { ratePerSec: 1e9, burst: 1e9 } },
    onEstop: () => {
      estopAt = performance.now();
    },
  });
  const alice = await connectUser(broker, 'alice');
  try {
    const acks = await ackInbox(alice);
    const warmup = Math.max(5, Math.floor(samples / 10));
    const accepted: number[] = [];
    const done: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      const cmd = command('alice', { text: 'open the gripper' });
      const t0 = performance.now();
      await send(alice, 'alice', cmd);
      let tAccepted = 0;
      await acks.waitUntil(() => {
        for (let j = acks.messages.length - 1; j >= 0 && j >= acks.messages.length - 4; j--) {
          const m = acks.messages[j].body;
          if (m.id !== cmd.id) continue;
          if (m.status === 'accepted' && tAccepted === 0) tAccepted = performance.now();
          if (m.status === 'done') return true;
        }
        return undefined;
      }, `ack of ${cmd.id}`);
      const tDone = performance.now();
      if (i >= warmup) {
        accepted.push((tAccepted || tDone) - t0);
        done.push(tDone - t0);
      }
      acks.messages.length = 0;
    }
    const estops: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      estopAt = 0;
      const stop = command('alice', { text: 'stop' });
      const t0 = performance.now();
      void send(alice, 'alice', stop);
      await acks.waitUntil(() => (estopAt > 0 ? true : undefined), 'onEstop');
      if (i >= warmup) estops.push(estopAt - t0);
    }
    return { broker: kind, commandToAccepted: latencyStats(accepted), commandToDone: latencyStats(done), estopToOnEstop: latencyStats(estops) };
  } finally {
    await alice.endAsync();
    await rig.close();
    await broker.close();
  }
}

export async function measureBridgeLatency(options: BridgeLatencyOptions = {}): Promise<BridgeLatency[]> {
  const samples = options.samples ?? 300;
  const results: BridgeLatency[] = [];
  for (const kind of options.brokers ?? BROKER_KINDS) {
    const skip = brokerSkip(kind);
    if (skip) {
      options.log?.(`bridge bench: skipping ${kind}: ${skip}`);
      results.push({ broker: kind, skipped: skip });
      continue;
    }
    options.log?.(`bridge bench: ${kind}, ${samples} samples`);
    results.push(await measureOne(kind, samples));
  }
  return results;
}

export function formatBridgeLatency(results: readonly BridgeLatency[]): string {
  const row = (name: string, s: LatencyStats | undefined): string =>
    s ? `  ${name.padEnd(22)} p50 ${s.p50Ms.toFixed(3)} ms  p99 ${s.p99Ms.toFixed(3)} ms  max ${s.maxMs.toFixed(3)} ms  (n=${s.n})` : '';
  return results
    .map((r) =>
      r.skipped
        ? `${r.broker}: skipped (${r.skipped})`
        : [`${r.broker}:`, row('command -> accepted', r.commandToAccepted), row('command -> done', r.commandToDone), row('estop -> onEstop', r.estopToOnEstop)].join('\n'),
    )
    .join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const samples = Number(process.argv[2] ?? 300);
  console.log(formatBridgeLatency(await measureBridgeLatency({ samples, log: (line) => console.error(line) })));
}
