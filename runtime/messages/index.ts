// ROS 2 message types for armstack: TS interfaces with ROS field names, their runtime descriptors (for the CDR
// codec and MCAP schemas), the registry, default messages and time conversions.
export type {
  ArrayKind, ComplexTypeName, ConstantDescriptor, ConstantValue, FieldDescriptor, FieldType, MessageDescriptor,
  PrimitiveType,
} from './descriptor.js';
export { fullTypeName, isPrimitiveType, shortTypeName } from './descriptor.js';

export type { Duration, Header, StringMsg, Time } from './defs/builtin-interfaces.js';
export type {
  Point, Pose, PoseStamped, PoseWithCovariance, Quaternion, Twist, Vector3, Wrench, WrenchStamped,
} from './defs/geometry-msgs.js';
export type { CameraInfo, CompressedImage, Image, JointState, RegionOfInterest } from './defs/sensor-msgs.js';
export type { JointTrajectory, JointTrajectoryPoint } from './defs/trajectory-msgs.js';
export type { DiagnosticArray, DiagnosticLevel, KeyValue } from './defs/diagnostic-msgs.js';
// DiagnosticStatus is both the interface and the level constants (DiagnosticStatus.ERROR).
export { DiagnosticStatus } from './defs/diagnostic-msgs.js';
export type {
  BoundingBox2D, Detection2D, Detection2DArray, ObjectHypothesis, ObjectHypothesisWithPose, Point2D, Pose2D,
} from './defs/vision-msgs.js';
export type { SceneBin, SceneObject, SceneState } from './defs/armstack-msgs.js';

export type { KnownMessageType, MessageTypeMap, MsgType } from './registry.js';
export { MESSAGE_DESCRIPTORS, MsgTypes, isKnownMessageType, messageDescriptor, messageTypeNames } from './registry.js';
export { defaultMessage } from './default-message.js';
export { renderDefinition, ros2msgSchema } from './schema-text.js';
export { msFromTime, nsFromTime, timeFromMs, timeFromNs } from './time.js';
