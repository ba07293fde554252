// Waiting and naming helpers shared by the graph contract suites.

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Time given to a backend to deliver what it is going to deliver, before asserting that something did not arrive. */
export const SETTLE_MS = 40;

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(2);
  }
}

let unique = 0;
/** A name no other test (or earlier run against the same DDS domain) uses. */
export function uniqueName(base: string): string {
  return `contract_${process.pid}_${++unique}_${base}`;
}
