// `armstack say "pick the red box"` / `armstack say --wav file.wav`: an operator's command over MQTT. Publishes one
// command (or streams a WAV as voice/audio chunks), prints the acks for it, and exits 0 on accepted/done, 1 on
// rejected/failed (or no answer), 2 on a user mistake.
import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { UserError } from '../../runtime/errors.js';
import { connectLowLatency } from '../../runtime/bridge/mqtt/client.js';
import { encodeAudioChunk } from '../../runtime/bridge/mqtt/audio.js';
import { DEFAULT_TOPIC_PREFIX, checkName, robotTopics } from '../../runtime/bridge/mqtt/topics.js';
import type { Ack, Command as CmdMessage } from '../../runtime/bridge/mqtt/schemas.js';
import { readWavAsPcm16 } from '../../runtime/bridge/voice/wav.js';
import { intFlag, numberFlag } from '../parse-flags.js';

interface SayFlags {
  url: string;
  user?: string;
  password?: string;
  site: string;
  robot: string;
  wav?: string;
  json?: boolean;
  ttl: number;
  timeout: number;
  confirm?: boolean;
}

const FINAL: ReadonlySet<Ack['status']> = new Set(['rejected', 'done', 'failed']);
/** ~100 ms of 16 kHz audio per chunk (README: Audio chunks). */
const CHUNK_SAMPLES = 1600;

function connect(url: string, username: string, password: string): Promise<MqttClient> {
  const client = connectLowLatency(url, {
    username,
    password,
    // 3.1.1 works on aedes and mosquitto alike.
    protocolVersion: 4,
    clientId: `say-${username}-${randomUUID().slice(0, 8)}`,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    const fail = (error?: Error): void => {
      client.end(true);
      reject(new UserError(`cannot connect to ${url} as ${username}: ${error?.message ?? 'connection closed'}`));
    };
    client.once('error', fail);
    client.once('close', () => fail());
  });
}

export function registerSayCommand(program: Command): void {
  program
    .command('say')
    .description('send an operator command to a robot over MQTT and print its acks')
    .argument('[text...]', 'the command, e.g. "pick the red box"')
    .option('--wav <file>', 'stream this WAV as voice audio instead of sending text')
    .option('--url <url>', 'broker URL (mqtt://, mqtts://, ws://)', 'mqtt://127.0.0.1:1883')
    .option('--user <name>', 'MQTT user (default: env ARMSTACK_MQTT_USER)')
    .option('--password <password>', 'MQTT password (default: env ARMSTACK_MQTT_PASSWORD)')
    .option('--site <site>', 'site name in the topic prefix', 'site1')
    .option('--robot <robot>', 'robot name', 'arm1')
    .option('--ttl <ms>', 'the command must start within this long', intFlag(1, 300_000), 10_000)
    .option('--timeout <s>', 'give up waiting for the final ack after this long', numberFlag(0.1, 3600), 60)
    .option('--confirm', 'send "confirm": true (for robots that require confirmation)')
    .option('--json', 'print each ack as a JSON line')
    .action(async (words: string[], flags: SayFlags) => {
      process.exitCode = await say(words.join(' ').trim(), flags);
    });
}

async function say(text: string, flags: SayFlags): Promise<number> {
  if (!text && !flags.wav) throw new UserError('say: give the command text or --wav FILE');
  if (text && flags.wav) throw new UserError('say: give either text or --wav, not both');
  if (!/^(mqtts?|wss?):\/\//.test(flags.url)) throw new UserError(`say: --url must start with mqtt://, mqtts://, ws:// or wss://, got "${flags.url}"`);
  const user = flags.user ?? process.env.ARMSTACK_MQTT_USER;
  const password = flags.password ?? process.env.ARMSTACK_MQTT_PASSWORD;
  if (!user || password === undefined) throw new UserError('say: set --user and --password (or ARMSTACK_MQTT_USER / ARMSTACK_MQTT_PASSWORD)');
  for (const [name, what] of [[user, 'user'], [flags.site, 'site'], [flags.robot, 'robot']] as const) {
    const problem = checkName(name, what);
    if (problem) throw new UserError(`say: ${problem}`);
  }
  const pcm = flags.wav ? await readWavAsPcm16(flags.wav) : undefined;
  const topics = robotTopics({ prefix: DEFAULT_TOPIC_PREFIX, site: flags.site, robot: flags.robot });
  const print = (ack: Ack): void => {
    if (flags.json) process.stdout.write(JSON.stringify(ack) + '\n');
    else process.stdout.write(`${ack.status}${ack.reason ? `: ${ack.reason}` : ''}${ack.intent ? ` (${ack.intent.intent})` : ''}\n`);
  };

  const client = await connect(flags.url, user, password);
  try {
    const id = randomUUID();
    let last: Ack | undefined;
    const finished = new Promise<Ack | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), flags.timeout * 1000);
      client.on('message', (topic, payload) => {
        if (topic !== topics.ack) return;
        let ack: Ack;
        try {
          ack = JSON.parse(payload.toString('utf8')) as Ack;
        } catch {
          return;
        }
        // Text commands carry our id; spoken ones get the robot's id, so match those by operator.
        if (pcm ? ack.operator !== user : ack.id !== id && !(ack.id === null && ack.operator === user)) return;
        print(ack);
        last = ack;
        if (FINAL.has(ack.status)) {
          clearTimeout(timer);
          resolve(ack);
        }
      });
      // The broker closing on us (a refused publish, e.g. a viewer's command) is an answer too.
      client.once('close', () => {
        clearTimeout(timer);
        resolve(last);
      });
    });
    await client.subscribeAsync(topics.ack, { qos: 1 });
    if (pcm) {
      const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1);
      const utteranceId = id;
      let seq = 0;
      for (let at = 0; at < samples.length || seq === 0; at += CHUNK_SAMPLES) {
        const chunk = samples.subarray(at, at + CHUNK_SAMPLES);
        const final = at + CHUNK_SAMPLES >= samples.length;
        await client.publishAsync(topics.voiceAudio(user), encodeAudioChunk({ utteranceId, seq: seq++, final, samples: chunk }), { qos: 0 });
      }
    } else {
      const cmd: CmdMessage = { id, operator: user, text, issuedAt: Date.now(), ttlMs: flags.ttl, ...(flags.confirm ? { confirm: true } : {}) } as CmdMessage;
      await client.publishAsync(topics.cmd(user), JSON.stringify(cmd), { qos: 1 });
    }
    const final = await finished;
    const result = final ?? last;
    if (!result) {
      process.stderr.write(`armstack: no ack from ${flags.robot} within ${flags.timeout} s (or the broker refused the command)\n`);
      return 1;
    }
    if (!final) process.stderr.write(`armstack: ${result.status}, no final ack within ${flags.timeout} s\n`);
    return result.status === 'accepted' || result.status === 'done' ? 0 : 1;
  } finally {
    await client.endAsync(true).catch(() => undefined);
  }
}
