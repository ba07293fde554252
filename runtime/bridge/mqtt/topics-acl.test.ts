// Topic names and the per-role permissions both brokers enforce.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrefix, parseTopic, robotTopics, DEFAULT_TOPIC_PREFIX } from './topics.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mosquittoAcl, publishDenial, subscribeDenial, type AclUser } from './acl.js';
import { aclForUsersFile } from './mosquitto/write-acl.js';

const template = parsePrefix(DEFAULT_TOPIC_PREFIX);
const t = robotTopics({ prefix: DEFAULT_TOPIC_PREFIX, site: 'dock', robot: 'robot1' });
const alice: AclUser = { username: 'alice', role: 'operator' };
const sam: AclUser = { username: 'sam', role: 'supervisor' };
const vera: AclUser = { username: 'vera', role: 'viewer' };
const robot: AclUser = { username: 'robot1', role: 'robot' };

describe('topics', () => {
  it('builds and parses the versioned topics', () => {
    assert.equal(t.cmd('alice'), 'armstack/v1/dock/robot1/cmd/alice');
    assert.equal(t.ack, 'armstack/v1/dock/robot1/cmd/ack');
    assert.equal(t.presence, 'armstack/v1/dock/robot1/presence');
    assert.deepEqual(parseTopic(template, t.cmd('alice')), { site: 'dock', robot: 'robot1', channel: 'cmd', sender: 'alice' });
    assert.deepEqual(parseTopic(template, t.ack), { site: 'dock', robot: 'robot1', channel: 'cmd/ack' });
    assert.deepEqual(parseTopic(template, t.voiceAudio('bob')), { site: 'dock', robot: 'robot1', channel: 'voice/audio', sender: 'bob' });
    assert.equal(parseTopic(template, 'armstack/v1/dock/robot1/cmd'), undefined);
    assert.equal(parseTopic(template, 'armstack/v1/dock/robot1/cmd/a/b'), undefined);
    assert.equal(parseTopic(template, 'armstack/v2/dock/robot1/state'), undefined);
  });

  it('refuses bad prefixes and names, saying why', () => {
    assert.throws(() => parsePrefix('armstack/v1/{site}/'), /must contain \{robot\}/);
    assert.throws(() => parsePrefix('armstack/#/{robot}/'), /wildcards/);
    assert.throws(() => parsePrefix('armstack/{robot}'), /must end with "\/"/);
    assert.throws(() => robotTopics({ prefix: DEFAULT_TOPIC_PREFIX, site: 'dock', robot: 'a/b' }), /robot "a\/b" must match/);
    assert.throws(() => t.cmd('ack'), /reserved/);
    assert.equal(robotTopics({ prefix: 'plant7/{robot}/', site: 'x', robot: 'r' }).state, 'plant7/r/state');
  });
});

describe('acl', () => {
  it('operators publish only under their own name; viewers nothing; robots only their own channels', () => {
    assert.equal(publishDenial(alice, t.cmd('alice'), template), undefined);
    assert.equal(publishDenial(sam, t.voiceAudio('sam'), template), undefined);
    assert.match(publishDenial(alice, t.cmd('bob'), template) ?? '', /sender level must be "alice"/);
    assert.match(publishDenial(alice, t.state, template) ?? '', /publish only cmd/);
    assert.match(publishDenial(vera, t.cmd('vera'), template) ?? '', /viewers only read/);
    assert.equal(publishDenial(robot, t.state, template), undefined);
    assert.equal(publishDenial(robot, t.ack, template), undefined);
    assert.match(publishDenial(robot, t.cmd('alice'), template) ?? '', /robots do not publish cmd/);
    assert.match(publishDenial(robot, 'armstack/v1/dock/robot2/state', template) ?? '', /own name/);
    assert.match(publishDenial(alice, '$SYS/x', template) ?? '', /not an armstack topic/);
  });

  it('readers subscribe under the prefix; robots only under their own', () => {
    assert.equal(subscribeDenial(vera, 'armstack/v1/#', template), undefined);
    assert.equal(subscribeDenial(vera, 'armstack/v1/+/+/state', template), undefined);
    assert.match(subscribeDenial(vera, '#', template) ?? '', /not under the armstack prefix/);
    assert.match(subscribeDenial(vera, '+/v1/#', template) ?? '', /not under/);
    assert.equal(subscribeDenial(robot, t.cmdFilter, template), undefined);
    assert.equal(subscribeDenial(robot, 'armstack/v1/+/robot1/#', template), undefined);
    assert.match(subscribeDenial(robot, 'armstack/v1/dock/+/cmd/+', template) ?? '', /own topics/);
    assert.match(subscribeDenial(robot, 'armstack/v1/#', template) ?? '', /own topics/);
  });

  it('writes a mosquitto acl with per-user grants', () => {
    const acl = mosquittoAcl([alice, vera, robot], DEFAULT_TOPIC_PREFIX);
    assert.match(acl, /user alice\ntopic read armstack\/v1\/#\ntopic write armstack\/v1\/\+\/\+\/cmd\/alice\n/);
    assert.match(acl, /user vera\ntopic read armstack\/v1\/#\n\n/);
    assert.match(acl, /user robot1\ntopic read armstack\/v1\/\+\/robot1\/#\ntopic write armstack\/v1\/\+\/robot1\/state\n/);
  });
});

describe('mosquitto example', () => {
  it('acl.example is what write-acl.ts makes of users.example.yaml', () => {
    const dir = fileURLToPath(new URL('./mosquitto/', import.meta.url));
    assert.equal(readFileSync(`${dir}acl.example`, 'utf8'), aclForUsersFile(`${dir}users.example.yaml`));
  });
});
