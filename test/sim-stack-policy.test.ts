// The learned hot path inside the running stack, as a user runs it: `armstack launch sim --policy FILE`. The
// shipped vision model and policy drive the sim arm from the overhead camera on the wall clock, through the
// inference worker and the safety filter, with no privileged sim state.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, lastJsonLine } from './helpers/cli.js';

const POLICY = 'policies/assets/pick-place-policy.onnx';

describe('armstack launch sim --policy (learned hot path in the stack)', () => {
  // On the sim clock each tick waits for its inference, so the outcome does not depend on how busy the machine is.
  it('the shipped policy picks the red box and places it in bin 1 from camera images (--fast)', async () => {
    const r = await runCli(['launch', 'sim', '--fast', '--policy', POLICY, '--targets', 'red', '--json'], 300_000);
    assert.equal(r.code, 0, r.stderr);
    const s = lastJsonLine(r.stdout);
    assert.match(r.stderr, /\[policy\] .*pick-place-policy\.onnx with .*object-localizer\.onnx on cpu; targets: red → bin 1/);
    assert.match(r.stderr, /\[policy\] red → bin 1: placed/);
    assert.equal(s.stopReason, 'all_placed');
    assert.equal(s.objectsPlaced, 1, `placed ${s.objectsPlaced}\n${r.stderr.slice(-2000)}`);
    assert.equal(s.safetyRejected, 0);
  });

  it('on the wall clock inference runs beside the loop and its chunks drive the arm', async () => {
    const r = await runCli(['launch', 'sim', '--headless', '--no-bridge', '--policy', POLICY, '--duration', '4', '--json'], 120_000);
    assert.equal(r.code, 0, r.stderr);
    const s = lastJsonLine(r.stdout);
    assert.equal(s.stopReason, 'duration');
    assert.ok((s.commandsWritten as number) > 30, `commands written: ${s.commandsWritten}`);
    assert.equal(s.safetyRejected, 0);
  });

  it('refuses what cannot work, with a clear message and exit 2', async () => {
    const missing = await runCli(['launch', 'sim', '--headless', '--no-bridge', '--policy', 'nope.onnx', '--duration', '1']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--policy nope\.onnx: no such file/);
    const colour = await runCli(['launch', 'sim', '--headless', '--no-bridge', '--policy', POLICY, '--targets', 'mauve', '--duration', '1']);
    assert.equal(colour.code, 2, colour.stderr);
    assert.match(colour.stderr, /knows no colour "mauve"/);
  });
});
