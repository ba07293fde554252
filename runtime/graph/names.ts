// ROS 2 name rules (rcl_validate_topic_name, rmw_validate_node_name, rcl_expand_topic_name), so a graph that runs
// in-process accepts exactly the names a real ROS 2 graph would.

/** rmw's limit on a fully qualified topic name (RMW_TOPIC_MAX_NAME_LENGTH). */
const MAX_TOPIC_NAME_LENGTH = 247;
const MAX_NODE_NAME_LENGTH = 255;

/** Why `name` is not a valid ROS 2 node name, or undefined if it is. */
export function nodeNameError(name: string): string | undefined {
  if (name.length === 0) return 'node name must not be empty';
  if (name.length > MAX_NODE_NAME_LENGTH) return `node name is longer than ${MAX_NODE_NAME_LENGTH} characters`;
  const bad = /[^A-Za-z0-9_]/.exec(name);
  if (bad) return `node name contains "${bad[0]}" at ${bad.index}; only letters, digits and _ are allowed`;
  if (/^[0-9]/.test(name)) return 'node name must not start with a digit';
  return undefined;
}

/** Why `name` is not a valid (absolute, relative or private) topic name, or undefined if it is. */
export function topicNameError(name: string): string | undefined {
  if (name.length === 0) return 'topic name must not be empty';
  const bad = /[^A-Za-z0-9_/~]/.exec(name);
  if (bad) {
    const hint = bad[0] === '{' || bad[0] === '}' ? '; substitutions ({node}, {ns}) are not supported' : '';
    return `topic name contains "${bad[0]}" at ${bad.index}; only letters, digits, _, / and a leading ~ are allowed${hint}`;
  }
  const tilde = name.indexOf('~');
  if (tilde > 0) return 'topic name may contain ~ only as its first character';
  if (tilde === 0 && name.length > 1 && name[1] !== '/') return 'topic name must continue with / after a leading ~';
  if (name.endsWith('/')) return 'topic name must not end with /';
  if (name.includes('//')) return 'topic name must not contain //';
  if (/^[0-9]/.test(name)) return 'topic name must not start with a digit';
  if (/\/[0-9]/.test(name)) return 'a topic name token must not start with a digit';
  return undefined;
}

/**
 * The fully qualified form of a valid topic name for a node in `namespace` (`/` or `/a/b`): `a` -> `/ns/a`,
 * `~/a` -> `/ns/node/a`, `/a` unchanged. Throws with the rule broken, naming `where` and the name.
 */
export function resolveTopicName(where: string, name: string, nodeName: string, namespace = '/'): string {
  const error = topicNameError(name);
  if (error !== undefined) throw new Error(`${where}: invalid topic name "${name}": ${error}`);
  const prefix = namespace === '/' ? '' : namespace;
  let resolved: string;
  if (name.startsWith('/')) resolved = name;
  else if (name.startsWith('~')) resolved = `${prefix}/${nodeName}${name.slice(1)}`;
  else resolved = `${prefix}/${name}`;
  if (resolved.length > MAX_TOPIC_NAME_LENGTH) {
    throw new Error(`${where}: topic name "${resolved}" is longer than ${MAX_TOPIC_NAME_LENGTH} characters`);
  }
  return resolved;
}

/** Why `name` is not a valid parameter name (dot-separated tokens of letters, digits, _), or undefined. */
export function parameterNameError(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name)) {
    return 'parameter names are dot-separated tokens of letters, digits and _, each not starting with a digit';
  }
  return undefined;
}

/**
 * `pkg/msg/Name` (or `pkg/Name`, normalized to `pkg/msg/Name`), so that one type has one spelling on a topic.
 * Throws naming `where` for anything else.
 */
export function normalizeMessageType(where: string, type: string): string {
  const match = /^([A-Za-z][A-Za-z0-9_]*)\/(?:msg\/)?([A-Za-z][A-Za-z0-9_]*)$/.exec(type);
  if (!match) throw new Error(`${where}: invalid message type "${type}"; expected pkg/msg/Name, e.g. std_msgs/msg/String`);
  return `${match[1]}/msg/${match[2]}`;
}
