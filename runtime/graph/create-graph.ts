// Picks the graph backend. rclnodejs is imported only when asked for and only with ROS 2 sourced, because
// importing it without ROS can start a native rebuild.
import { UserError } from '../errors.js';
import type { InProcGraphConfig } from './inproc.js';
import { InProcGraph } from './inproc.js';
import type { Graph } from './types.js';

export type GraphBackend = 'inproc' | 'ros2';

export interface CreateGraphOptions {
  /** Settings for the inproc backend. */
  inproc?: Partial<InProcGraphConfig>;
}

export async function createGraph(backend: GraphBackend, options: CreateGraphOptions = {}): Promise<Graph> {
  switch (backend) {
    case 'inproc':
      return new InProcGraph(options.inproc);
    case 'ros2':
      return createRos2Graph();
    default:
      throw new UserError(`createGraph: unknown graph backend "${String(backend)}"; use "inproc" or "ros2"`);
  }
}

async function createRos2Graph(): Promise<Graph> {
  const distro = process.env['ROS_DISTRO'];
  if (distro === undefined || distro === '') {
    throw new UserError(
      'createGraph: the ros2 backend needs ROS 2, which is not sourced (ROS_DISTRO is unset); ' +
        'source /opt/ros/<distro>/setup.bash, or use the inproc backend',
    );
  }
  // A variable specifier keeps TypeScript from requiring the (optional, usually absent) package's types.
  const moduleName = 'rclnodejs';
  try {
    await import(moduleName);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new UserError(
      `createGraph: ROS 2 ${distro} is sourced but rclnodejs could not be loaded (${detail}); ` +
        'install it with `npm install rclnodejs`, or use the inproc backend',
    );
  }
  throw new UserError('createGraph: the ros2 (rclnodejs) graph backend is not implemented yet; use the inproc backend');
}
