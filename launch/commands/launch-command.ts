import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../runtime/errors.js';
import { packageRoot } from '../../runtime/package-root.js';
import { intFlag, numberFlag } from '../parse-flags.js';
import { loadLaunchDescription } from '../launch-description.js';
import { runSimStack, type SimStackOverrides } from '../sim-stack.js';
import { runFleetSim } from '../fleet-sim.js';

interface LaunchFlags {
  port?: number;
  headless?: boolean;
  duration?: number;
  fast?: boolean;
  seed?: number;
  json?: boolean;
  rate?: number;
  /** commander's --no-bridge: false when given. */
  bridge: boolean;
  mqttPort?: number;
  robots?: number;
  policy?: string;
  targets?: string;
}

/** `sim` → launch/sim.launch.yaml; anything with a slash or .yaml is a path. */
export function resolveLaunchFile(name: string): string {
  if (name.includes('/') || name.endsWith('.yaml') || name.endsWith('.yml')) return name;
  const path = join(packageRoot(), 'launch', `${name}.launch.yaml`);
  if (!existsSync(path)) throw new UserError(`no launch description named "${name}" (looked for ${path})`);
  return path;
}

function resolvePolicyFile(path: string): string {
  if (!existsSync(path)) throw new UserError(`launch: --policy ${path}: no such file`);
  return path;
}

export function registerLaunchCommand(program: Command): void {
  program
    .command('launch')
    .description('start a stack from a launch description (sim: sim arm, control loop, expert, dashboard)')
    .argument('<name>', 'launch description: "sim", or a path to a .launch.yaml file')
    .option('--port <port>', 'dashboard port (default 8080; 0 picks a free one)', intFlag(0, 65535))
    .option('--headless', 'no dashboard')
    .option('--duration <seconds>', 'stop after this many seconds of sim time', numberFlag(0.001, 1e7))
    .option('--fast', 'headless, sim time as fast as the CPU allows (tests and evaluation)')
    .option('--seed <n>', 'sim seed (world layout)', intFlag(0, 2 ** 31 - 1))
    .option('--rate <hz>', 'control loop rate', numberFlag(1, 1000))
    .option('--json', 'print a JSON summary as the last line of output')
    .option('--no-bridge', 'no MQTT command bridge (and no embedded broker)')
    .option('--mqtt-port <port>', 'embedded MQTT broker port (default 1883; 0 picks a free one)', intFlag(0, 65535))
    .option('--robots <n>', 'fleet-sim: how many simulated robots share the broker (default 20)', intFlag(1, 100))
    .option('--policy <file.onnx>', 'drive the arm with a learned policy from the overhead camera (vision model + policy in the inference worker) instead of the scripted expert; with --fast each tick waits for its inference')
    .option('--targets <colors>', 'with --policy: box colours to move, in order, comma-separated (default every box)')
    .action(async (name: string, flags: LaunchFlags) => {
      const description = loadLaunchDescription(resolveLaunchFile(name));
      if (description.name === 'fleet-sim' || flags.robots !== undefined) {
        const log = (line: string): void => void process.stdout.write(line + '\n');
        await runFleetSim(description, {
          robots: flags.robots ?? 20, port: flags.port, mqttPort: flags.mqttPort, seed: flags.seed, durationS: flags.duration, log, handleSignals: true,
        });
        return;
      }
      const overrides: SimStackOverrides = {
        port: flags.port,
        headless: Boolean(flags.headless || flags.fast),
        durationS: flags.duration,
        fast: Boolean(flags.fast),
        seed: flags.seed,
        rateHz: flags.rate,
        // --fast runs have no bridge (SimStack's default) unless a port is asked for.
        bridge: !flags.bridge ? false : flags.mqttPort !== undefined ? true : undefined,
        mqttPort: flags.mqttPort,
        policy: flags.policy === undefined ? undefined : resolvePolicyFile(flags.policy),
        policyTargets: flags.targets?.split(',').map((c) => c.trim()).filter(Boolean),
        log: flags.json ? (line) => process.stderr.write(line + '\n') : (line) => process.stdout.write(line + '\n'),
      };
      const summary = await runSimStack(description, overrides, { handleSignals: true });
      if (flags.json) process.stdout.write(JSON.stringify(summary) + '\n');
    });
}
