// For the benches that time "stop → the arm is told to stop": wraps a driver's hold() so the moment it runs is
// seen. The e-stop latch and the pipeline call hold() through the property, so the wrapper sees every call.

export class HoldWatch {
  /** performance.now() of the last hold() since reset(); 0 when none. */
  heldAt = 0;
  readonly #driver: { hold(reason: string): void };
  readonly #hold: (reason: string) => void;

  constructor(driver: { hold(reason: string): void }) {
    this.#driver = driver;
    this.#hold = driver.hold.bind(driver);
    driver.hold = (reason: string): void => {
      this.heldAt = performance.now();
      this.#hold(reason);
    };
  }

  reset(): void {
    this.heldAt = 0;
  }

  /** Resolves with ms from t0 to the hold, or undefined when none came by t0 + timeoutMs (polls each loop turn). */
  async waitSince(t0: number, timeoutMs: number): Promise<number | undefined> {
    const deadline = t0 + timeoutMs;
    while (this.heldAt === 0 && performance.now() < deadline) await new Promise((r) => setImmediate(r));
    return this.heldAt === 0 ? undefined : this.heldAt - t0;
  }

  /** Puts the driver's own hold() back. */
  restore(): void {
    this.#driver.hold = this.#hold;
  }
}
