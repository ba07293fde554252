// The MQTT topic API of one robot: a versioned prefix with `{site}` and `{robot}` placeholders, then a channel.
// Commands and audio carry the sender in the last level (`cmd/<username>`) so the broker, not the payload, says who
// sent them: aedes and mosquitto both restrict that level to the authenticated username.

/** Every channel under a robot's prefix. `cmd` and `voice/audio` take the sender's username as one more level. */
export type Channel = 'cmd' | 'cmd/ack' | 'state' | 'events' | 'presence' | 'voice/audio' | 'voice/transcript';

export const CHANNELS: readonly Channel[] = [
  'cmd', 'cmd/ack', 'state', 'events', 'presence', 'voice/audio', 'voice/transcript',
];

/** Channels a sender publishes to as `<channel>/<username>`. */
export const SENDER_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['cmd', 'voice/audio']);

export const DEFAULT_TOPIC_PREFIX = 'armstack/v1/{site}/{robot}/';

/** Site, robot and user names become topic levels: no `/`, `+`, `#`, `$`, spaces or control characters. */
export const NAME_PATTERN = '^[A-Za-z0-9_.-]{1,64}$';
const NAME_RE = new RegExp(NAME_PATTERN);

/**
 * Names that would collide with a channel level when used as a sender (`cmd/ack` is the ack topic, so a user
 * called `ack` could publish into it).
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['ack']);

export interface TopicsConfig {
  /** Must contain `{robot}` once, may contain `{site}` once, and ends with `/`. */
  prefix: string;
  site: string;
  robot: string;
}

export const DEFAULT_TOPICS_CONFIG: Omit<TopicsConfig, 'robot'> = { prefix: DEFAULT_TOPIC_PREFIX, site: 'default' };

/** Why a name cannot be a topic level, or undefined when it can. */
export function checkName(name: string, what: string): string | undefined {
  if (!NAME_RE.test(name)) return `${what} "${name}" must match ${NAME_PATTERN}`;
  return undefined;
}

export interface PrefixTemplate {
  /** The template's levels, e.g. ['armstack', 'v1', '{site}', '{robot}']. */
  levels: readonly string[];
  robotIndex: number;
  /** -1 when the prefix has no `{site}`. */
  siteIndex: number;
}

/** Parses and checks a prefix template; throws naming the problem. */
export function parsePrefix(prefix: string): PrefixTemplate {
  const where = `topic prefix "${prefix}"`;
  if (!prefix.endsWith('/')) throw new Error(`${where} must end with "/"`);
  if (/[+#]/.test(prefix)) throw new Error(`${where} must not contain MQTT wildcards`);
  if (prefix.startsWith('$') || prefix.startsWith('/')) throw new Error(`${where} must not start with "$" or "/"`);
  const levels = prefix.slice(0, -1).split('/');
  const robotIndex = levels.indexOf('{robot}');
  const siteIndex = levels.indexOf('{site}');
  if (robotIndex < 0 || levels.lastIndexOf('{robot}') !== robotIndex) throw new Error(`${where} must contain {robot} exactly once as a whole level`);
  if (siteIndex >= 0 && levels.lastIndexOf('{site}') !== siteIndex) throw new Error(`${where} may contain {site} at most once`);
  for (const level of levels) {
    if (level === '') throw new Error(`${where} has an empty level`);
    if (level.includes('{') && level !== '{robot}' && level !== '{site}') throw new Error(`${where}: unknown placeholder in "${level}"`);
  }
  return { levels, robotIndex, siteIndex };
}

/** The concrete topics of one robot. */
export interface RobotTopics {
  /** The robot's prefix with placeholders filled, ending with `/`. */
  readonly base: string;
  cmd(sender: string): string;
  /** `…/cmd/+`: what the bridge subscribes to. */
  readonly cmdFilter: string;
  readonly ack: string;
  readonly state: string;
  readonly events: string;
  readonly presence: string;
  voiceAudio(sender: string): string;
  readonly voiceAudioFilter: string;
  readonly voiceTranscript: string;
}

export function robotTopics(config: TopicsConfig): RobotTopics {
  const template = parsePrefix(config.prefix);
  for (const [name, what] of [[config.robot, 'robot'], [config.site, 'site']] as const) {
    const problem = checkName(name, what);
    if (problem) throw new Error(`robotTopics: ${problem}`);
  }
  const levels = template.levels.map((l) => (l === '{robot}' ? config.robot : l === '{site}' ? config.site : l));
  const base = `${levels.join('/')}/`;
  const sender = (channel: string, name: string): string => {
    const problem = checkName(name, 'sender') ?? (RESERVED_NAMES.has(name) ? `sender "${name}" is reserved` : undefined);
    if (problem) throw new Error(`robotTopics: ${problem}`);
    return `${base}${channel}/${name}`;
  };
  return {
    base,
    cmd: (name) => sender('cmd', name),
    cmdFilter: `${base}cmd/+`,
    ack: `${base}cmd/ack`,
    state: `${base}state`,
    events: `${base}events`,
    presence: `${base}presence`,
    voiceAudio: (name) => sender('voice/audio', name),
    voiceAudioFilter: `${base}voice/audio/+`,
    voiceTranscript: `${base}voice/transcript`,
  };
}

export interface ParsedTopic {
  site: string | undefined;
  robot: string;
  channel: Channel;
  /** The sender level of `cmd/<sender>` and `voice/audio/<sender>`. */
  sender?: string;
}

/** Maps a concrete topic back to robot, channel and sender; undefined when it is not one of ours. */
export function parseTopic(template: PrefixTemplate, topic: string): ParsedTopic | undefined {
  const levels = topic.split('/');
  const n = template.levels.length;
  if (levels.length <= n) return undefined;
  for (let i = 0; i < n; i++) {
    const want = template.levels[i];
    if (i === template.robotIndex || i === template.siteIndex) {
      if (!NAME_RE.test(levels[i])) return undefined;
    } else if (levels[i] !== want) {
      return undefined;
    }
  }
  const rest = levels.slice(n);
  const site = template.siteIndex >= 0 ? levels[template.siteIndex] : undefined;
  const robot = levels[template.robotIndex];
  const joined = rest.join('/');
  if (joined === 'cmd/ack') return { site, robot, channel: 'cmd/ack' };
  for (const channel of CHANNELS) {
    if (joined === channel && !SENDER_CHANNELS.has(channel)) return { site, robot, channel };
    if (SENDER_CHANNELS.has(channel) && joined.startsWith(`${channel}/`)) {
      const sender = joined.slice(channel.length + 1);
      if (!NAME_RE.test(sender) || RESERVED_NAMES.has(sender)) return undefined;
      return { site, robot, channel, sender };
    }
  }
  return undefined;
}
