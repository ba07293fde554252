// armstack_msgs: the sim/world scene as the dashboard and the scripted experts see it.
import { defineMessage, field, sequence } from '../descriptor.js';
import type { Header } from './builtin-interfaces.js';
import type { Pose, Vector3 } from './geometry-msgs.js';

/** armstack_msgs/msg/SceneObject. `in_bin` is the bin number the object rests in, 0 = none. size in m. */
export interface SceneObject {
  id: string;
  kind: string;
  color: string;
  size: Vector3;
  pose: Pose;
  held: boolean;
  in_bin: number;
}

/** armstack_msgs/msg/SceneBin. Bins are numbered from 1. */
export interface SceneBin {
  number: number;
  pose: Pose;
  size: Vector3;
}

/** armstack_msgs/msg/SceneState */
export interface SceneState {
  header: Header;
  objects: SceneObject[];
  bins: SceneBin[];
}

export const SceneObjectDescriptor = defineMessage('armstack_msgs/msg/SceneObject', [
  field('id', 'string'),
  field('kind', 'string'),
  field('color', 'string'),
  field('size', 'geometry_msgs/msg/Vector3'),
  field('pose', 'geometry_msgs/msg/Pose'),
  field('held', 'bool'),
  field('in_bin', 'uint8'),
]);

export const SceneBinDescriptor = defineMessage('armstack_msgs/msg/SceneBin', [
  field('number', 'uint8'),
  field('pose', 'geometry_msgs/msg/Pose'),
  field('size', 'geometry_msgs/msg/Vector3'),
]);

export const SceneStateDescriptor = defineMessage('armstack_msgs/msg/SceneState', [
  field('header', 'std_msgs/msg/Header'),
  sequence('objects', 'armstack_msgs/msg/SceneObject'),
  sequence('bins', 'armstack_msgs/msg/SceneBin'),
]);
