// runtime/safety: every command passes the SafetyFilter; the e-stop latch and the watchdogs hold the arm without
// waiting behind inference, the network or a queue.
//
// Wiring, in the launcher (sketch):
//   const latch = new EStopLatch({ clock, onTrip: (t) => diag.estopTripped(t), onRelease: (by) => diag.estopReleased(by) });
//   latch.addHold((reason) => driver.hold(reason));                 // runs inside trip(), synchronously
//   const filter = new SafetyFilter(driver.description, config.safety, { kinematics, estop: latch, onEvent: diag.onEvent });
//   const dog = new CommandWatchdog({}, { clock, hold: (r) => { driver.hold(r); filter.reset(); diag.holdRaised('watchdog', r); },
//                                         onRecover: () => diag.holdCleared('watchdog') });
//   const worker = await WorkerWatchdog.start({ timeoutMs: 100 }, { hold: (r) => { driver.hold(r); filter.reset(); } });
//   each tick:  worker.beat(); dog.feed(cmd.stampNs);
//               const v = filter.apply(cmd, driver.readCommandPositions(), tick.periodS);
//               if (worker.pollBeforeWrite()) {}                      // held instead of writing
//               else if (v.writable) driver.write(v.command); else driver.hold(`safety: ${v.action} (${v.rulesList()})`);
//   loop overruns -> dog.reportOverrun() / dog.reportOnTime().
export { SafetyFilter } from './safety-filter.js';
export type { EStopState, SafetyFilterDeps, ToolKinematics } from './safety-filter.js';
export { INFEASIBLE, jointLimitTable, limitJoint } from './joint-limiter.js';
export type { JointLimitTable, JointMotion } from './joint-limiter.js';
export { SAFETY_RULES, SafetyVerdict, ruleBit, rulesOf } from './safety-rules.js';
export type { SafetyAction, SafetyEvent, SafetyEventSink, SafetyRule } from './safety-rules.js';
export {
  CommandWatchdogConfigSchema, DEFAULT_COMMAND_WATCHDOG_CONFIG, DEFAULT_SAFETY_DIAGNOSTICS_CONFIG,
  DEFAULT_SAFETY_FILTER_CONFIG, DEFAULT_WORKSPACE, SafetyDiagnosticsConfigSchema, SafetyFilterConfigSchema,
  WorkspaceBoxSchema, resolveCommandWatchdogConfig, resolveSafetyDiagnosticsConfig, resolveSafetyFilterConfig,
} from './safety-config.js';
export type { CommandWatchdogConfig, SafetyDiagnosticsConfig, SafetyFilterConfig, WorkspaceBox } from './safety-config.js';
export { EStopLatch } from './estop-latch.js';
export type { EStopLatchOptions, EStopResetBy, EStopResetResult, EStopTrip, HoldCallback, OperatorRole } from './estop-latch.js';
export { CommandWatchdog } from './watchdog.js';
export type { CommandWatchdogDeps, WatchdogCause, WatchdogState } from './watchdog.js';
export { WorkerWatchdog } from './watchdog-worker.js';
export type { WorkerWatchdogConfig, WorkerWatchdogDeps, WorkerWatchdogTrip } from './watchdog-worker.js';
export { SafetyDiagnostics } from './diagnostics.js';
export type { LogLevel, SafetyDiagnosticsDeps, SafetyLogger } from './diagnostics.js';
export { monotonicClock, nodeScheduler } from './time.js';
export type { NowClock, Scheduler } from './time.js';
export { FakeTime } from './fake-time.js';
