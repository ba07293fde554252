// vision_msgs as released for ROS 2 Humble (4.1.x). @foxglove/rosmsg-msgs-common does not ship vision_msgs, so
// these are written from the upstream .msg files (ros-perception/vision_msgs, branch ros2). Note the 4.x layout:
// the box centre is `bbox.center.position.x`, the class is `results[i].hypothesis.class_id` (a string).
import { defineMessage, field, sequence } from '../descriptor.js';
import type { Header } from './builtin-interfaces.js';
import type { PoseWithCovariance } from './geometry-msgs.js';

/** vision_msgs/msg/Point2D, in pixels: x right, y down. */
export interface Point2D {
  x: number;
  y: number;
}

/** vision_msgs/msg/Pose2D: position in pixels, theta in rad (counterclockwise). */
export interface Pose2D {
  position: Point2D;
  theta: number;
}

/** vision_msgs/msg/BoundingBox2D: centre and full size, in pixels. */
export interface BoundingBox2D {
  center: Pose2D;
  size_x: number;
  size_y: number;
}

/** vision_msgs/msg/ObjectHypothesis */
export interface ObjectHypothesis {
  class_id: string;
  score: number;
}

/** vision_msgs/msg/ObjectHypothesisWithPose */
export interface ObjectHypothesisWithPose {
  hypothesis: ObjectHypothesis;
  pose: PoseWithCovariance;
}

/** vision_msgs/msg/Detection2D. `id` tracks one object across messages; may be empty. */
export interface Detection2D {
  header: Header;
  results: ObjectHypothesisWithPose[];
  bbox: BoundingBox2D;
  id: string;
}

/** vision_msgs/msg/Detection2DArray */
export interface Detection2DArray {
  header: Header;
  detections: Detection2D[];
}

export const Point2DDescriptor = defineMessage('vision_msgs/msg/Point2D', [
  field('x', 'float64'),
  field('y', 'float64'),
]);

export const Pose2DDescriptor = defineMessage('vision_msgs/msg/Pose2D', [
  field('position', 'vision_msgs/msg/Point2D'),
  field('theta', 'float64'),
]);

export const BoundingBox2DDescriptor = defineMessage('vision_msgs/msg/BoundingBox2D', [
  field('center', 'vision_msgs/msg/Pose2D'),
  field('size_x', 'float64'),
  field('size_y', 'float64'),
]);

export const ObjectHypothesisDescriptor = defineMessage('vision_msgs/msg/ObjectHypothesis', [
  field('class_id', 'string'),
  field('score', 'float64'),
]);

export const ObjectHypothesisWithPoseDescriptor = defineMessage('vision_msgs/msg/ObjectHypothesisWithPose', [
  field('hypothesis', 'vision_msgs/msg/ObjectHypothesis'),
  field('pose', 'geometry_msgs/msg/PoseWithCovariance'),
]);

export const Detection2DDescriptor = defineMessage('vision_msgs/msg/Detection2D', [
  field('header', 'std_msgs/msg/Header'),
  sequence('results', 'vision_msgs/msg/ObjectHypothesisWithPose'),
  field('bbox', 'vision_msgs/msg/BoundingBox2D'),
  field('id', 'string'),
]);

export const Detection2DArrayDescriptor = defineMessage('vision_msgs/msg/Detection2DArray', [
  field('header', 'std_msgs/msg/Header'),
  sequence('detections', 'vision_msgs/msg/Detection2D'),
]);
