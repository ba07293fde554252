// The registry: every message type armstack knows, by its full ROS 2 name.
import type { MessageDescriptor } from './descriptor.js';
import { fullTypeName } from './descriptor.js';
import type { Duration, Header, StringMsg, Time } from './defs/builtin-interfaces.js';
import { DurationDescriptor, HeaderDescriptor, StringMsgDescriptor, TimeDescriptor } from './defs/builtin-interfaces.js';
import type {
  Point, Pose, PoseStamped, PoseWithCovariance, Quaternion, Twist, Vector3, Wrench, WrenchStamped,
} from './defs/geometry-msgs.js';
import {
  PointDescriptor, PoseDescriptor, PoseStampedDescriptor, PoseWithCovarianceDescriptor, QuaternionDescriptor,
  TwistDescriptor, Vector3Descriptor, WrenchDescriptor, WrenchStampedDescriptor,
} from './defs/geometry-msgs.js';
import type { CameraInfo, CompressedImage, Image, JointState, RegionOfInterest } from './defs/sensor-msgs.js';
import {
  CameraInfoDescriptor, CompressedImageDescriptor, ImageDescriptor, JointStateDescriptor, RegionOfInterestDescriptor,
} from './defs/sensor-msgs.js';
import type { JointTrajectory, JointTrajectoryPoint } from './defs/trajectory-msgs.js';
import { JointTrajectoryDescriptor, JointTrajectoryPointDescriptor } from './defs/trajectory-msgs.js';
import type { DiagnosticArray, DiagnosticStatus, KeyValue } from './defs/diagnostic-msgs.js';
import { DiagnosticArrayDescriptor, DiagnosticStatusDescriptor, KeyValueDescriptor } from './defs/diagnostic-msgs.js';
import type {
  BoundingBox2D, Detection2D, Detection2DArray, ObjectHypothesis, ObjectHypothesisWithPose, Point2D, Pose2D,
} from './defs/vision-msgs.js';
import {
  BoundingBox2DDescriptor, Detection2DArrayDescriptor, Detection2DDescriptor, ObjectHypothesisDescriptor,
  ObjectHypothesisWithPoseDescriptor, Point2DDescriptor, Pose2DDescriptor,
} from './defs/vision-msgs.js';
import type { SceneBin, SceneObject, SceneState } from './defs/armstack-msgs.js';
import { SceneBinDescriptor, SceneObjectDescriptor, SceneStateDescriptor } from './defs/armstack-msgs.js';

/** Full type names by the name of their TS interface: `MsgTypes.JointState === 'sensor_msgs/msg/JointState'`. */
export const MsgTypes = Object.freeze({
  Time: 'builtin_interfaces/msg/Time',
  Duration: 'builtin_interfaces/msg/Duration',
  Header: 'std_msgs/msg/Header',
  StringMsg: 'std_msgs/msg/String',
  /** Alias of StringMsg, for those who think in ROS names. */
  String: 'std_msgs/msg/String',
  Point: 'geometry_msgs/msg/Point',
  Vector3: 'geometry_msgs/msg/Vector3',
  Quaternion: 'geometry_msgs/msg/Quaternion',
  Pose: 'geometry_msgs/msg/Pose',
  PoseStamped: 'geometry_msgs/msg/PoseStamped',
  PoseWithCovariance: 'geometry_msgs/msg/PoseWithCovariance',
  Twist: 'geometry_msgs/msg/Twist',
  Wrench: 'geometry_msgs/msg/Wrench',
  WrenchStamped: 'geometry_msgs/msg/WrenchStamped',
  JointState: 'sensor_msgs/msg/JointState',
  Image: 'sensor_msgs/msg/Image',
  CompressedImage: 'sensor_msgs/msg/CompressedImage',
  RegionOfInterest: 'sensor_msgs/msg/RegionOfInterest',
  CameraInfo: 'sensor_msgs/msg/CameraInfo',
  JointTrajectory: 'trajectory_msgs/msg/JointTrajectory',
  JointTrajectoryPoint: 'trajectory_msgs/msg/JointTrajectoryPoint',
  KeyValue: 'diagnostic_msgs/msg/KeyValue',
  DiagnosticStatus: 'diagnostic_msgs/msg/DiagnosticStatus',
  DiagnosticArray: 'diagnostic_msgs/msg/DiagnosticArray',
  Point2D: 'vision_msgs/msg/Point2D',
  Pose2D: 'vision_msgs/msg/Pose2D',
  BoundingBox2D: 'vision_msgs/msg/BoundingBox2D',
  ObjectHypothesis: 'vision_msgs/msg/ObjectHypothesis',
  ObjectHypothesisWithPose: 'vision_msgs/msg/ObjectHypothesisWithPose',
  Detection2D: 'vision_msgs/msg/Detection2D',
  Detection2DArray: 'vision_msgs/msg/Detection2DArray',
  SceneObject: 'armstack_msgs/msg/SceneObject',
  SceneBin: 'armstack_msgs/msg/SceneBin',
  SceneState: 'armstack_msgs/msg/SceneState',
} as const);

export type MsgType = (typeof MsgTypes)[keyof typeof MsgTypes];

/** TS type of each message by full type name: `MessageTypeMap['sensor_msgs/msg/JointState']` is JointState. */
export interface MessageTypeMap {
  'builtin_interfaces/msg/Time': Time;
  'builtin_interfaces/msg/Duration': Duration;
  'std_msgs/msg/Header': Header;
  'std_msgs/msg/String': StringMsg;
  'geometry_msgs/msg/Point': Point;
  'geometry_msgs/msg/Vector3': Vector3;
  'geometry_msgs/msg/Quaternion': Quaternion;
  'geometry_msgs/msg/Pose': Pose;
  'geometry_msgs/msg/PoseStamped': PoseStamped;
  'geometry_msgs/msg/PoseWithCovariance': PoseWithCovariance;
  'geometry_msgs/msg/Twist': Twist;
  'geometry_msgs/msg/Wrench': Wrench;
  'geometry_msgs/msg/WrenchStamped': WrenchStamped;
  'sensor_msgs/msg/JointState': JointState;
  'sensor_msgs/msg/Image': Image;
  'sensor_msgs/msg/CompressedImage': CompressedImage;
  'sensor_msgs/msg/RegionOfInterest': RegionOfInterest;
  'sensor_msgs/msg/CameraInfo': CameraInfo;
  'trajectory_msgs/msg/JointTrajectory': JointTrajectory;
  'trajectory_msgs/msg/JointTrajectoryPoint': JointTrajectoryPoint;
  'diagnostic_msgs/msg/KeyValue': KeyValue;
  'diagnostic_msgs/msg/DiagnosticStatus': DiagnosticStatus;
  'diagnostic_msgs/msg/DiagnosticArray': DiagnosticArray;
  'vision_msgs/msg/Point2D': Point2D;
  'vision_msgs/msg/Pose2D': Pose2D;
  'vision_msgs/msg/BoundingBox2D': BoundingBox2D;
  'vision_msgs/msg/ObjectHypothesis': ObjectHypothesis;
  'vision_msgs/msg/ObjectHypothesisWithPose': ObjectHypothesisWithPose;
  'vision_msgs/msg/Detection2D': Detection2D;
  'vision_msgs/msg/Detection2DArray': Detection2DArray;
  'armstack_msgs/msg/SceneObject': SceneObject;
  'armstack_msgs/msg/SceneBin': SceneBin;
  'armstack_msgs/msg/SceneState': SceneState;
}

/** The descriptors, keyed by full type name. Kept literal-typed for the compile-time checks. */
export const MESSAGE_DESCRIPTORS = Object.freeze({
  'builtin_interfaces/msg/Time': TimeDescriptor,
  'builtin_interfaces/msg/Duration': DurationDescriptor,
  'std_msgs/msg/Header': HeaderDescriptor,
  'std_msgs/msg/String': StringMsgDescriptor,
  'geometry_msgs/msg/Point': PointDescriptor,
  'geometry_msgs/msg/Vector3': Vector3Descriptor,
  'geometry_msgs/msg/Quaternion': QuaternionDescriptor,
  'geometry_msgs/msg/Pose': PoseDescriptor,
  'geometry_msgs/msg/PoseStamped': PoseStampedDescriptor,
  'geometry_msgs/msg/PoseWithCovariance': PoseWithCovarianceDescriptor,
  'geometry_msgs/msg/Twist': TwistDescriptor,
  'geometry_msgs/msg/Wrench': WrenchDescriptor,
  'geometry_msgs/msg/WrenchStamped': WrenchStampedDescriptor,
  'sensor_msgs/msg/JointState': JointStateDescriptor,
  'sensor_msgs/msg/Image': ImageDescriptor,
  'sensor_msgs/msg/CompressedImage': CompressedImageDescriptor,
  'sensor_msgs/msg/RegionOfInterest': RegionOfInterestDescriptor,
  'sensor_msgs/msg/CameraInfo': CameraInfoDescriptor,
  'trajectory_msgs/msg/JointTrajectory': JointTrajectoryDescriptor,
  'trajectory_msgs/msg/JointTrajectoryPoint': JointTrajectoryPointDescriptor,
  'diagnostic_msgs/msg/KeyValue': KeyValueDescriptor,
  'diagnostic_msgs/msg/DiagnosticStatus': DiagnosticStatusDescriptor,
  'diagnostic_msgs/msg/DiagnosticArray': DiagnosticArrayDescriptor,
  'vision_msgs/msg/Point2D': Point2DDescriptor,
  'vision_msgs/msg/Pose2D': Pose2DDescriptor,
  'vision_msgs/msg/BoundingBox2D': BoundingBox2DDescriptor,
  'vision_msgs/msg/ObjectHypothesis': ObjectHypothesisDescriptor,
  'vision_msgs/msg/ObjectHypothesisWithPose': ObjectHypothesisWithPoseDescriptor,
  'vision_msgs/msg/Detection2D': Detection2DDescriptor,
  'vision_msgs/msg/Detection2DArray': Detection2DArrayDescriptor,
  'armstack_msgs/msg/SceneObject': SceneObjectDescriptor,
  'armstack_msgs/msg/SceneBin': SceneBinDescriptor,
  'armstack_msgs/msg/SceneState': SceneStateDescriptor,
} satisfies { [K in keyof MessageTypeMap]: MessageDescriptor & { typeName: K } });

export type KnownMessageType = keyof MessageTypeMap;

const descriptorsByName: ReadonlyMap<string, MessageDescriptor> = new Map(Object.entries(MESSAGE_DESCRIPTORS));

/** Every known full type name, in registry order. */
export function messageTypeNames(): KnownMessageType[] {
  return Object.keys(MESSAGE_DESCRIPTORS) as KnownMessageType[];
}

export function isKnownMessageType(typeName: string): typeName is KnownMessageType {
  return descriptorsByName.has(typeName);
}

/** The descriptor of a type given as `pkg/msg/Name` (or the short `pkg/Name`); throws for an unknown type. */
export function messageDescriptor(typeName: string): MessageDescriptor {
  const descriptor = descriptorsByName.get(fullTypeName(typeName));
  if (descriptor === undefined) {
    throw new Error(
      `messageDescriptor: unknown message type "${typeName}"; known types: ${[...descriptorsByName.keys()].join(', ')}`,
    );
  }
  return descriptor;
}
