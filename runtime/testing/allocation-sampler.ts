// For the "allocates nothing per tick/frame" tests: V8's sampling heap profiler over a few windows of a hot
// loop, counting objects a minor or major GC would have collected too. A window can catch V8 re-optimising a
// function in the background (the unoptimised tiers box doubles), so callers judge the steadiest window.
import { Session } from 'node:inspector/promises';

interface ProfileNode { callFrame: { functionName: string; url: string }; selfSize: number; children: ProfileNode[] }

export interface AllocationWindow {
  bytes: number;
  /** Bytes per allocation site (`function file`), outside node's own modules. */
  sites: Record<string, number>;
}

export interface SampleOptions {
  /** Bytes between samples (smaller is finer and slower). */
  samplingInterval: number;
  /** Stop early once a window stays under this many bytes. */
  enoughBelowBytes: number;
  /** Default 4. */
  maxWindows?: number;
  /** Called before each window (reset the caller's counters). */
  beforeWindow?: () => void;
}

/** Runs `run` once per sampled window; returns every window's allocations. */
export async function sampleAllocations(run: () => void, o: SampleOptions): Promise<AllocationWindow[]> {
  const session = new Session();
  session.connect();
  const windows: AllocationWindow[] = [];
  try {
    for (let w = 0; w < (o.maxWindows ?? 4) && !windows.some((x) => x.bytes < o.enoughBelowBytes); w++) {
      o.beforeWindow?.();
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: o.samplingInterval, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true,
      } as never);
      run();
      const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
      const sites: Record<string, number> = {};
      const walk = (n: ProfileNode): void => {
        if (n.selfSize > 0 && !n.callFrame.url.startsWith('node:')) {
          const key = `${n.callFrame.functionName} ${n.callFrame.url.split('/').pop()}`;
          sites[key] = (sites[key] ?? 0) + n.selfSize;
        }
        n.children.forEach(walk);
      };
      walk(profile.head);
      windows.push({ bytes: Object.values(sites).reduce((a, b) => a + b, 0), sites });
    }
  } finally {
    session.disconnect();
  }
  return windows;
}
