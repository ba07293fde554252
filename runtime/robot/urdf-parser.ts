// URDF text -> ArmDescription. Pure (no file I/O), so the dashboard can parse a URDF it fetched.
// Every error names the source, the line and the field, e.g.
//   arm6.urdf line 42: joint "elbow": <limit> is missing "velocity"
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { UserError } from '../errors.js';
import type { ArmDescription, JointLimits, JointSpec, JointType } from './arm-description.js';

/** Namespace of armstack's URDF extensions (<armstack:limits acceleration="..."/>). */
export const ARMSTACK_URDF_NS = 'https://armstack.dev/urdf';

const JOINT_TYPES: readonly JointType[] = ['revolute', 'continuous', 'prismatic', 'fixed'];
const ATTR = '@_';
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

// With isArray on every element, each child tag maps to an array of nodes (objects, or '' for a bare <tag/>).
type XmlNode = Record<string, unknown> & { [META]?: { startIndex?: number } };

class UrdfReader {
  readonly #lineStarts: number[] = [0];

  constructor(readonly xml: string, readonly source: string) {
    for (let i = 0; i < xml.length; i++) if (xml.charCodeAt(i) === 10) this.#lineStarts.push(i + 1);
  }

  lineOf(index: number): number {
    let lo = 0, hi = this.#lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#lineStarts[mid] <= index) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Line of the element, or of one of its attributes when the start tag spans several lines. */
  line(node: XmlNode | undefined, attr?: string): number | undefined {
    const start = node?.[META]?.startIndex;
    if (start === undefined) return undefined;
    if (attr) {
      const tagEnd = this.xml.indexOf('>', start);
      const m = new RegExp(`\\s${attr.replace(/[.:]/g, '\\$&')}\\s*=`).exec(this.xml.slice(start, tagEnd < 0 ? undefined : tagEnd));
      if (m) return this.lineOf(start + m.index + 1);
    }
    return this.lineOf(start);
  }

  error(where: string, message: string, line?: number): UserError {
    const at = line === undefined ? '' : ` line ${line}`;
    return new UserError(`${this.source}${at}: ${where ? `${where}: ` : ''}${message}`);
  }

  children(node: XmlNode, tag: string): XmlNode[] {
    const v = node[tag];
    if (!Array.isArray(v)) return [];
    // A bare <tag/> parses to ''; give it an empty object (it then has no line of its own).
    return v.map((c) => (typeof c === 'object' && c !== null ? (c as XmlNode) : {}));
  }

  /** At most one <tag> child; where names the owner for errors. */
  optionalChild(node: XmlNode, tag: string, where: string): XmlNode | undefined {
    const list = this.children(node, tag);
    if (list.length > 1) throw this.error(where, `more than one <${tag}>`, this.line(list[1]) ?? this.line(node));
    return list[0];
  }

  attr(node: XmlNode, name: string): string | undefined {
    const v = node[ATTR + name];
    return typeof v === 'string' ? v : undefined;
  }

  requiredAttr(node: XmlNode, tag: string, name: string, where: string, fallbackLine?: number): string {
    const v = this.attr(node, name);
    if (v === undefined || v.trim() === '') {
      throw this.error(where, `<${tag}> is missing "${name}"`, this.line(node) ?? fallbackLine);
    }
    return v;
  }

  number(node: XmlNode, tag: string, name: string, where: string, fallback?: number, fallbackLine?: number): number {
    const raw = this.attr(node, name);
    if (raw === undefined) {
      if (fallback !== undefined) return fallback;
      throw this.error(where, `<${tag}> is missing "${name}"`, this.line(node) ?? fallbackLine);
    }
    const v = raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(v)) {
      throw this.error(where, `<${tag} ${name}="${raw}"> is not a number`, this.line(node, name) ?? fallbackLine);
    }
    return v;
  }

  vec3(node: XmlNode | undefined, tag: string, name: string, where: string, fallback: [number, number, number],
    fallbackLine?: number): [number, number, number] {
    const raw = node ? this.attr(node, name) : undefined;
    if (raw === undefined) return [...fallback];
    const parts = raw.trim().split(/\s+/);
    const v = parts.map(Number);
    if (parts.length !== 3 || v.some((x, i) => !Number.isFinite(x) || parts[i] === '')) {
      throw this.error(where, `<${tag} ${name}="${raw}"> must be three numbers`, this.line(node, name) ?? fallbackLine);
    }
    return v as [number, number, number];
  }
}

const NO_LIMITS: JointLimits = {
  hasPositionLimits: false, lower: -Infinity, upper: Infinity,
  hasVelocityLimits: false, maxVelocity: Infinity,
  hasAccelerationLimits: false, maxAcceleration: Infinity,
  hasEffortLimits: false, maxEffort: Infinity,
};

function parseJoint(r: UrdfReader, node: XmlNode, ns: string | undefined, robotLine: number | undefined): JointSpec {
  const line = r.line(node) ?? robotLine;
  const name = r.requiredAttr(node, 'joint', 'name', '', line);
  const where = `joint "${name}"`;
  const typeRaw = r.requiredAttr(node, 'joint', 'type', where, line);
  if (!(JOINT_TYPES as readonly string[]).includes(typeRaw)) {
    throw r.error(where, `unknown joint type "${typeRaw}" (expected ${JOINT_TYPES.join(', ')})`, r.line(node, 'type') ?? line);
  }
  const type = typeRaw as JointType;
  const parentNode = r.optionalChild(node, 'parent', where);
  const childNode = r.optionalChild(node, 'child', where);
  if (!parentNode) throw r.error(where, 'missing <parent link="...">', line);
  if (!childNode) throw r.error(where, 'missing <child link="...">', line);
  const parent = r.requiredAttr(parentNode, 'parent', 'link', where, line);
  const child = r.requiredAttr(childNode, 'child', 'link', where, line);

  const origin = r.optionalChild(node, 'origin', where);
  const originXyz = r.vec3(origin, 'origin', 'xyz', where, [0, 0, 0], line);
  const originRpy = r.vec3(origin, 'origin', 'rpy', where, [0, 0, 0], line);
  const axisNode = r.optionalChild(node, 'axis', where);
  const axis = r.vec3(axisNode, 'axis', 'xyz', where, [1, 0, 0], line);
  const axisNorm = Math.hypot(...axis);
  if (type !== 'fixed' && axisNorm < 1e-9) {
    throw r.error(where, '<axis xyz> must not be zero', r.line(axisNode, 'xyz') ?? line);
  }
  if (axisNorm > 0) for (let i = 0; i < 3; i++) axis[i] /= axisNorm;

  const limits: JointLimits = { ...NO_LIMITS };
  const limitNode = r.optionalChild(node, 'limit', where);
  if (type === 'revolute' || type === 'prismatic') {
    if (!limitNode) throw r.error(where, `a ${type} joint needs <limit lower upper velocity effort>`, line);
    limits.hasPositionLimits = true;
    limits.lower = r.number(limitNode, 'limit', 'lower', where, undefined, line);
    limits.upper = r.number(limitNode, 'limit', 'upper', where, undefined, line);
    if (limits.lower > limits.upper) {
      throw r.error(where, `<limit> lower ${limits.lower} is above upper ${limits.upper}`, r.line(limitNode) ?? line);
    }
  }
  if (limitNode && type !== 'fixed') {
    limits.hasVelocityLimits = true;
    limits.maxVelocity = r.number(limitNode, 'limit', 'velocity', where, undefined, line);
    limits.hasEffortLimits = true;
    limits.maxEffort = r.number(limitNode, 'limit', 'effort', where, undefined, line);
    if (limits.maxVelocity <= 0) throw r.error(where, '<limit velocity> must be positive', r.line(limitNode, 'velocity') ?? line);
    if (limits.maxEffort < 0) throw r.error(where, '<limit effort> must not be negative', r.line(limitNode, 'effort') ?? line);
  }
  const ext = ns ? r.optionalChild(node, `${ns}:limits`, where) : undefined;
  if (ext && type !== 'fixed' && r.attr(ext, 'acceleration') !== undefined) {
    limits.hasAccelerationLimits = true;
    limits.maxAcceleration = r.number(ext, `${ns}:limits`, 'acceleration', where, undefined, line);
    if (limits.maxAcceleration <= 0) {
      throw r.error(where, `<${ns}:limits acceleration> must be positive`, r.line(ext, 'acceleration') ?? line);
    }
  }

  const spec: JointSpec = { name, type, parent, child, originXyz, originRpy, axis, limits };
  const mimicNode = r.optionalChild(node, 'mimic', where);
  if (mimicNode) {
    spec.mimic = {
      joint: r.requiredAttr(mimicNode, 'mimic', 'joint', where, line),
      multiplier: r.number(mimicNode, 'mimic', 'multiplier', where, 1, line),
      offset: r.number(mimicNode, 'mimic', 'offset', where, 0, line),
    };
  }
  return spec;
}

/** The namespace prefix bound to ARMSTACK_URDF_NS on <robot>, if any (usually "armstack"). */
function armstackPrefix(r: UrdfReader, robot: XmlNode): string | undefined {
  for (const key of Object.keys(robot)) {
    if (key.startsWith(`${ATTR}xmlns:`) && robot[key] === ARMSTACK_URDF_NS) return key.slice(ATTR.length + 6);
  }
  return undefined;
}

export function parseUrdf(xml: string, source: string): ArmDescription {
  const r = new UrdfReader(xml, source);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw r.error('', `not well-formed XML: ${valid.err.msg}`, valid.err.line);
  const doc = new XMLParser({
    ignoreAttributes: false, attributeNamePrefix: ATTR, parseAttributeValue: false, parseTagValue: false,
    captureMetaData: true, isArray: (_tag, _path, _leaf, isAttribute) => !isAttribute,
  }).parse(xml) as XmlNode;
  const robots = r.children(doc, 'robot');
  if (robots.length !== 1) throw r.error('', 'expected one <robot> root element', 1);
  const robot = robots[0];
  const robotLine = r.line(robot);
  const name = r.attr(robot, 'name') ?? 'robot';
  const ns = armstackPrefix(r, robot);

  const linkLines = new Map<string, number | undefined>();
  for (const link of r.children(robot, 'link')) {
    const linkName = r.requiredAttr(link, 'link', 'name', '', robotLine);
    if (linkLines.has(linkName)) throw r.error(`link "${linkName}"`, 'defined twice', r.line(link));
    linkLines.set(linkName, r.line(link));
  }
  const jointNodes = r.children(robot, 'joint');
  const joints = jointNodes.map((j) => parseJoint(r, j, ns, robotLine));
  return buildDescription(r, name, joints, jointNodes, linkLines, robotLine);
}

function buildDescription(r: UrdfReader, name: string, joints: JointSpec[], nodes: XmlNode[],
  linkLines: Map<string, number | undefined>, robotLine: number | undefined): ArmDescription {
  const byName = new Map<string, JointSpec>();
  const parentJoint = new Map<string, JointSpec>();
  joints.forEach((j, i) => {
    const where = `joint "${j.name}"`;
    const line = r.line(nodes[i]) ?? robotLine;
    if (byName.has(j.name)) throw r.error(where, 'defined twice', line);
    byName.set(j.name, j);
    for (const [role, link] of [['parent', j.parent], ['child', j.child]] as const) {
      if (!linkLines.has(link)) {
        const node = r.optionalChild(nodes[i], role, where);
        throw r.error(where, `<${role} link="${link}"> names a link that does not exist`, r.line(node, 'link') ?? line);
      }
    }
    const other = parentJoint.get(j.child);
    if (other) throw r.error(where, `link "${j.child}" already has parent joint "${other.name}"`, line);
    parentJoint.set(j.child, j);
  });
  joints.forEach((j, i) => {
    if (j.mimic && !byName.has(j.mimic.joint)) {
      const node = r.optionalChild(nodes[i], 'mimic', `joint "${j.name}"`);
      throw r.error(`joint "${j.name}"`, `<mimic joint="${j.mimic.joint}"> names a joint that does not exist`,
        r.line(node, 'joint') ?? r.line(nodes[i]));
    }
  });

  const roots = [...linkLines.keys()].filter((l) => !parentJoint.has(l));
  if (roots.length !== 1) {
    const what = roots.length === 0 ? 'no root link (the joints form a cycle)' :
      `links ${roots.map((l) => `"${l}"`).join(', ')} all lack a parent joint: the tree must have exactly one root`;
    throw r.error('', `broken chain: ${what}`, roots.length ? linkLines.get(roots[1]) : robotLine);
  }
  const baseLink = roots[0];
  const toolLink = linkLines.has('tcp') ? 'tcp' : linkLines.has('tool0') ? 'tool0' : undefined;
  if (!toolLink) throw r.error('', 'broken chain: no tool link (a link named "tcp" or "tool0")', robotLine);

  // Walk tool -> base; a cycle elsewhere would make one root missing, a cycle here never reaches the base.
  const chain: JointSpec[] = [];
  for (let link = toolLink; link !== baseLink;) {
    const j = parentJoint.get(link);
    if (!j || chain.length > joints.length) {
      throw r.error('', `broken chain: "${toolLink}" is not connected to "${baseLink}"`, linkLines.get(link));
    }
    chain.unshift(j);
    link = j.parent;
  }
  const actuated = (j: JointSpec) => j.type !== 'fixed' && !j.mimic;
  for (const j of chain) {
    if (j.mimic) {
      throw r.error(`joint "${j.name}"`, 'a mimic joint cannot sit on the arm chain (base to tool)',
        r.line(nodes[joints.indexOf(j)]));
    }
  }
  const armJoints = chain.filter(actuated);
  if (armJoints.length === 0) throw r.error('', `broken chain: no moving joint between "${baseLink}" and "${toolLink}"`, robotLine);
  const gripperCandidates = joints.filter((j) => actuated(j) && !chain.includes(j));
  if (gripperCandidates.length !== 1) {
    const found = gripperCandidates.length === 0 ? 'none' : gripperCandidates.map((j) => `"${j.name}"`).join(', ');
    throw r.error('', `expected exactly one actuated gripper joint off the arm chain, found ${found}`, robotLine);
  }
  const gripperJoint = gripperCandidates[0];
  if (gripperJoint.type !== 'prismatic') {
    throw r.error(`joint "${gripperJoint.name}"`, 'the gripper joint must be prismatic (finger opening in metres)',
      r.line(nodes[joints.indexOf(gripperJoint)]));
  }
  return {
    name, source: r.source, baseLink, toolLink, joints, armJoints, gripperJoint,
    commandJointNames: [...armJoints.map((j) => j.name), gripperJoint.name],
  };
}
