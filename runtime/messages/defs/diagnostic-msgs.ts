// diagnostic_msgs: the /diagnostics topic.
import { constant, defineMessage, field, sequence } from '../descriptor.js';
import type { Header } from './builtin-interfaces.js';

/** diagnostic_msgs/msg/KeyValue */
export interface KeyValue {
  key: string;
  value: string;
}

/** diagnostic_msgs/msg/DiagnosticStatus. `level` is one of the DiagnosticStatus.OK/WARN/ERROR/STALE bytes. */
export interface DiagnosticStatus {
  level: number;
  name: string;
  message: string;
  hardware_id: string;
  values: KeyValue[];
}

/** The level constants, under the message's name as in rclpy/rclcpp: `DiagnosticStatus.ERROR`. */
export const DiagnosticStatus = Object.freeze({ OK: 0, WARN: 1, ERROR: 2, STALE: 3 } as const);
export type DiagnosticLevel = (typeof DiagnosticStatus)[keyof typeof DiagnosticStatus];

/** diagnostic_msgs/msg/DiagnosticArray */
export interface DiagnosticArray {
  header: Header;
  status: DiagnosticStatus[];
}

export const KeyValueDescriptor = defineMessage('diagnostic_msgs/msg/KeyValue', [
  field('key', 'string'),
  field('value', 'string'),
]);

export const DiagnosticStatusDescriptor = defineMessage(
  'diagnostic_msgs/msg/DiagnosticStatus',
  [
    field('level', 'byte'),
    field('name', 'string'),
    field('message', 'string'),
    field('hardware_id', 'string'),
    sequence('values', 'diagnostic_msgs/msg/KeyValue'),
  ],
  [
    constant('OK', 'byte', DiagnosticStatus.OK),
    constant('WARN', 'byte', DiagnosticStatus.WARN),
    constant('ERROR', 'byte', DiagnosticStatus.ERROR),
    constant('STALE', 'byte', DiagnosticStatus.STALE),
  ],
);

export const DiagnosticArrayDescriptor = defineMessage('diagnostic_msgs/msg/DiagnosticArray', [
  field('header', 'std_msgs/msg/Header'),
  sequence('status', 'diagnostic_msgs/msg/DiagnosticStatus'),
]);
