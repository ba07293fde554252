// The command rules without a broker, on fake time: ordering, roles, confirmation, duplicates and failures.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommandProcessor, type CommandProcessorConfig, type LatchControl } from './command-processor.js';
import { recordingExecutive } from './testing/harness.js';
import type { Ack } from './schemas.js';
import type { Role } from './users.js';

const ROLES: Record<string, Role> = { alice: 'operator', sam: 'supervisor', vera: 'viewer', robot1: 'robot' };

function rig(config: Partial<CommandProcessorConfig> = {}, latch?: LatchControl) {
  let wall = 1_800_000_000_000;
  let mono = 0;
  const acks: Ack[] = [];
  const estops: string[] = [];
  const executive = recordingExecutive();
  const processor = new CommandProcessor(config, {
    roleOf: (u) => ROLES[u],
    onEstop: (source, reason) => estops.push(`${source}: ${reason}`),
    executive,
    latch,
    sendAck: (a) => acks.push(a),
    clock: { wallMs: () => wall, monoMs: () => mono },
  });
  let n = 0;
  const send = (sender: string, fields: Record<string, unknown>, retained = false): string => {
    const id = `c${++n}`;
    const body = { id, operator: sender, issuedAt: wall, ttlMs: 5000, ...fields };
    processor.handle({ sender, payload: Buffer.from(JSON.stringify(body)), retained });
    return body.id as string;
  };
  const last = (id: string): Ack | undefined => acks.filter((a) => a.id === id).at(-1);
  const advance = (ms: number): void => {
    wall += ms;
    mono += ms;
  };
  return { processor, acks, estops, executive, send, last, advance, now: () => wall };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('CommandProcessor', () => {
  it('trips the e-stop before handle() returns, with no executive involved', () => {
    const r = rig();
    r.send('alice', { text: 'emergency stop' });
    assert.equal(r.estops.length, 1);
    assert.match(r.estops[0], /^mqtt:alice: stop word/);
    assert.equal(r.executive.calls.length, 0);
    assert.equal(r.acks[0].status, 'done');
  });

  it('acks failed when the e-stop handler throws, so the operator knows', () => {
    const r = rig();
    const processor = new CommandProcessor({}, {
      roleOf: () => 'operator',
      onEstop: () => {
        throw new Error('latch unreachable');
      },
      executive: r.executive,
      sendAck: (a) => r.acks.push(a),
    });
    processor.handle({ sender: 'alice', payload: Buffer.from(JSON.stringify({ text: 'stop' })), retained: false });
    assert.equal(r.acks[0].status, 'failed');
    assert.match(r.acks[0].reason ?? '', /e-stop handler threw: latch unreachable/);
  });

  it('a viewer, a robot and an unknown user are refused, but their stop words still stop', async () => {
    const r = rig();
    for (const who of ['vera', 'robot1']) {
      const id = r.send(who, { text: 'go home' });
      assert.match(r.last(id)?.reason ?? '', new RegExp(`has role ${ROLES[who]}; commands need role operator or supervisor`));
    }
    const unknown = r.send('zed', { text: 'go home' });
    assert.match(r.last(unknown)?.reason ?? '', /not in the user store/);
    r.send('vera', { text: 'halt' });
    r.send('zed', { intent: { intent: 'estop' } });
    assert.equal(r.estops.length, 2);
    await settle();
    assert.equal(r.executive.calls.length, 0);
  });

  it('refuses retained commands, future-dated ones and expired ones', () => {
    const r = rig();
    assert.match(r.last(r.send('alice', { text: 'go home' }, true))?.reason ?? '', /retained/);
    assert.match(r.last(r.send('alice', { text: 'go home', issuedAt: r.now() + 60_000 }))?.reason ?? '', /in the future/);
    assert.match(r.last(r.send('alice', { text: 'go home', issuedAt: r.now() - 6000 }))?.reason ?? '', /^expired/);
    // ttlMs 0 issued this very millisecond is still valid: expiry is strictly after issuedAt + ttlMs.
    assert.equal(r.last(r.send('alice', { text: 'go home', ttlMs: 0 }))?.status, 'accepted');
  });

  it('rate-limits per operator, refills over time, and never limits pause or stop', async () => {
    const r = rig({ rateLimit: { ratePerSec: 2, burst: 3 } });
    const ids = Array.from({ length: 5 }, () => r.send('alice', { text: 'open the gripper' }));
    await settle();
    assert.deepEqual(ids.map((id) => r.last(id)?.status), ['done', 'done', 'done', 'rejected', 'rejected']);
    assert.equal(r.last(r.send('alice', { text: 'pause' }))?.status, 'accepted');
    r.send('alice', { text: 'stop' });
    assert.equal(r.estops.length, 1);
    assert.equal(r.last(r.send('sam', { text: 'go home' }))?.status, 'accepted', 'another operator has their own bucket');
    r.advance(500);
    assert.equal(r.last(r.send('alice', { text: 'go home' }))?.status, 'accepted', 'one token back after 500 ms at 2/s');
  });

  it('payload confirmation: motion without confirm:true is refused, non-motion passes', () => {
    const r = rig({ confirmation: { mode: 'payload', windowMs: 1000 } });
    assert.match(r.last(r.send('alice', { text: 'go home' }))?.reason ?? '', /need "confirm": true/);
    assert.equal(r.last(r.send('alice', { text: 'go home', confirm: true }))?.status, 'accepted');
    assert.equal(r.last(r.send('alice', { text: 'start recording' }))?.status, 'accepted');
  });

  it('follow-up confirmation: newest wins, cancel drops it, a stop clears it, confirm is per operator', async () => {
    const r = rig({ confirmation: { mode: 'follow-up', windowMs: 60_000 } });
    const a = r.send('alice', { text: 'pick the red box' });
    const b = r.send('alice', { text: 'place it in bin two' });
    assert.match(r.last(a)?.reason ?? '', new RegExp(`superseded by ${b}`));
    assert.equal(r.last(b)?.status, 'pending');
    assert.match(r.last(r.send('sam', { text: 'confirm' }))?.reason ?? '', /nothing to confirm/);
    const cancel = r.send('alice', { text: 'cancel' });
    assert.match(r.last(b)?.reason ?? '', /cancelled/);
    assert.equal(r.last(cancel)?.status, 'done');

    const c = r.send('alice', { text: 'go home' });
    r.send('alice', { text: 'freeze' });
    assert.match(r.last(c)?.reason ?? '', /cancelled by e-stop/);
    assert.match(r.last(r.send('alice', { text: 'confirm' }))?.reason ?? '', /nothing to confirm/);

    const d = r.send('alice', { text: 'open the gripper' });
    r.send('alice', { text: 'confirm' });
    await settle();
    assert.equal(r.last(d)?.status, 'done');
    assert.equal(r.executive.calls.at(-1)?.ctx.confirmed, true);
  });

  it('a confirmation after the window, or after the command expired, does not run it', () => {
    const r = rig({ confirmation: { mode: 'follow-up', windowMs: 1000 } });
    const a = r.send('alice', { text: 'go home' });
    r.advance(1500);
    const late = r.send('alice', { text: 'confirm' });
    assert.match(r.last(a)?.reason ?? '', /not confirmed within 1000 ms/);
    assert.match(r.last(late)?.reason ?? '', /nothing to confirm/);
    const b = r.send('alice', { text: 'go home', ttlMs: 200 });
    r.advance(500);
    r.send('alice', { text: 'confirm' });
    assert.match(r.last(b)?.reason ?? '', /expired while waiting/);
    assert.equal(r.executive.calls.length, 0);
    r.processor.close();
  });

  it('reports an executive that throws or returns nonsense as failed', async () => {
    const r = rig();
    r.executive.handle = () => {
      throw new Error('gripper offline');
    };
    const a = r.send('alice', { text: 'open the gripper' });
    r.executive.handle = () => Promise.resolve('maybe' as 'done');
    const b = r.send('alice', { text: 'close the gripper' });
    await settle();
    assert.equal(r.last(a)?.status, 'failed');
    assert.match(r.last(a)?.reason ?? '', /gripper offline/);
    assert.match(r.last(b)?.reason ?? '', /executive returned maybe/);
  });

  it('answers text it does not understand, and refuses a replayed id', () => {
    const r = rig();
    assert.match(r.last(r.send('alice', { text: 'sing me a song' }))?.reason ?? '', /^not understood/);
    r.processor.handle({ sender: 'alice', payload: Buffer.from(JSON.stringify({ id: 'same', operator: 'alice', text: 'go home', issuedAt: r.now(), ttlMs: 1000 })), retained: false });
    r.processor.handle({ sender: 'alice', payload: Buffer.from(JSON.stringify({ id: 'same', operator: 'alice', text: 'go home', issuedAt: r.now(), ttlMs: 1000 })), retained: false });
    assert.match(r.acks.filter((x) => x.id === 'same').at(-1)?.reason ?? '', /duplicate id/);
  });
});
