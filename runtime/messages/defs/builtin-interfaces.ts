// builtin_interfaces and std_msgs: the types every stamped message builds on.
import { defineMessage, field } from '../descriptor.js';

/** builtin_interfaces/msg/Time. `nanosec` is in [0, 1e9); negative times have a negative `sec`. */
export interface Time {
  sec: number;
  nanosec: number;
}

/** builtin_interfaces/msg/Duration: same layout as Time. */
export interface Duration {
  sec: number;
  nanosec: number;
}

/** std_msgs/msg/Header */
export interface Header {
  stamp: Time;
  frame_id: string;
}

/** std_msgs/msg/String (named StringMsg so it does not shadow the global String). */
export interface StringMsg {
  data: string;
}

export const TimeDescriptor = defineMessage('builtin_interfaces/msg/Time', [
  field('sec', 'int32'),
  field('nanosec', 'uint32'),
]);

export const DurationDescriptor = defineMessage('builtin_interfaces/msg/Duration', [
  field('sec', 'int32'),
  field('nanosec', 'uint32'),
]);

export const HeaderDescriptor = defineMessage('std_msgs/msg/Header', [
  field('stamp', 'builtin_interfaces/msg/Time'),
  field('frame_id', 'string'),
]);

export const StringMsgDescriptor = defineMessage('std_msgs/msg/String', [field('data', 'string')]);
