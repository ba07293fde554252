// The dashboard's login for a stack: the same users file as the MQTT bridge (launch.bridge.usersFile), so one
// file decides who may do what on both, and the one-time URL printed at start.
import { isAbsolute, join } from 'node:path';
import { UserStore } from '../runtime/bridge/mqtt/users.js';
import { UserError } from '../runtime/errors.js';
import { packageRoot } from '../runtime/package-root.js';
import { DashboardAuth } from '../dashboard/server/auth.js';
import type { LaunchDescription } from './launch-description.js';

export interface StackDashboardAuth {
  auth: DashboardAuth;
  /** Who the start-up token logs in: the file's first supervisor (the person at the machine). */
  localSupervisor: string;
}

export function createDashboardAuth(launch: LaunchDescription, log?: (line: string) => void): StackDashboardAuth {
  const file = launch.bridge.usersFile;
  const path = isAbsolute(file) ? file : join(packageRoot(), file);
  let users: UserStore;
  try {
    users = UserStore.fromFile(path);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`dashboard: cannot read the users file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const d = launch.dashboard;
  const auth = new DashboardAuth({
    users,
    sessionTtlMs: (d.sessionHours ?? 12) * 3600_000,
    allowedOrigins: d.allowedOrigins ?? [],
    log: log ? (level, m) => log(`[dashboard] ${level}: ${m}`) : undefined,
  });
  const localSupervisor = users.list().find((u) => u.role === 'supervisor')?.username ?? 'local-supervisor';
  return { auth, localSupervisor };
}
