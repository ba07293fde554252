// Polls until `probe` returns something (an ack, a state, a count reached): tests of live stacks wait on what they
// observe, never on fixed sleeps. The timeout only bounds a hang.
export function until<T>(probe: () => T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const hit = probe();
      if (hit !== undefined) {
        clearInterval(poll);
        resolve(hit);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 5);
  });
}
