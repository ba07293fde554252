// The recorder's verbs end to end: `record` two short sim episodes, `episodes` lists them next to a corrupt and a
// truncated file, `export lerobot` writes v3.0 and v2.1 datasets that read back with the right columns, lengths,
// indices and metadata, and mp4s whose frame count and rate ffprobe confirms.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { openCvAvailable } from '../../perception/cameras/opencv-loader.js';
import { UserError } from '../../runtime/errors.js';
import { catalogEpisodes } from '../../runtime/recorder/episode-catalog.js';
import { readSidecar } from '../../runtime/recorder/episode-sidecar.js';
import { exportLeRobot } from '../../runtime/recorder/lerobot/lerobot-export.js';
import { runRecorderCli } from '../../runtime/recorder/testing/recorder-cli.js';
import { runRecord } from '../record.js';

const root = mkdtempSync(join(tmpdir(), 'armstack-recorder-cli-'));
const episodes = join(root, 'episodes');
after(() => rmSync(root, { recursive: true, force: true }));

// JPEG needs OpenCV; without it the same checks run on raw frames (CI has OpenCV, so there JPEG is what runs).
const format = openCvAvailable().ok ? '--jpeg' : '--raw';
if (format === '--raw' && process.env.CI) throw new Error('OpenCV is required when CI is set');

type Row = Record<string, unknown>;
async function readParquet(path: string): Promise<Row[]> {
  const bytes = readFileSync(path);
  return parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
}

function probe(path: string): { frames: number; rate: string; codec: string; pixFmt: string; width: number; height: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries',
    'stream=codec_name,pix_fmt,width,height,r_frame_rate,nb_read_frames', '-of', 'json', path], { encoding: 'utf8' });
  const s = JSON.parse(out).streams[0];
  return { frames: Number(s.nb_read_frames), rate: s.r_frame_rate, codec: s.codec_name, pixFmt: s.pix_fmt, width: s.width, height: s.height };
}

const json = (path: string): Row => JSON.parse(readFileSync(path, 'utf8')) as Row;
const jsonLines = (path: string): Row[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
const num = (v: unknown): number => Number(v as number | bigint);
// One task for both objects, so the datasets have one task_index.
const TASK = 'put the object in the bin';

describe('recorder CLI', () => {
  before(async () => {
    const first = await runRecorderCli(['record', '--source', 'sim', '--task', TASK, '--object', 'towel',
      '--seconds', '1', '--out', episodes, '--camera', 'overhead,wrist', format]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^episode 0: complete \(time_limit\)/m);
    const towel = readSidecar(join(episodes, 'episode_000000.json'));
    assert.equal(towel.object.category, 'cloth');
    assert.equal(towel.extra?.expert, 'towel');
    const second = await runRecord({
      source: 'sim', task: TASK, object: 'box', seconds: 1.2, outDir: episodes, cameras: ['overhead', 'wrist'],
      format: format === '--jpeg' ? 'jpeg' : 'raw', seed: 7, log: () => undefined,
    });
    const [box] = second.episodes;
    assert.equal(box.sidecar.complete, true);
    assert.equal(box.sidecar.object.category, 'rigid');
    assert.equal(box.sidecar.dropsTotal, 0, 'sim time waits for the encoder: no drops');
  });

  it('lists episodes, a corrupt file and a truncated one without crashing', async () => {
    writeFileSync(join(episodes, 'notes.mcap'), 'this is not an MCAP file at all');
    copyFileSync(join(episodes, 'episode_000001.mcap'), join(episodes, 'episode_000007.mcap'));
    truncateSync(join(episodes, 'episode_000007.mcap'), 40_000);
    const run = await runRecorderCli(['episodes', episodes, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const rows = JSON.parse(run.stdout) as Row[];
    assert.deepEqual(rows.map((r) => [r.name, r.complete, r.reason]), [
      ['episode_000000', true, 'time_limit'], ['episode_000001', true, 'time_limit'],
      ['episode_000007', false, 'truncated'], ['notes', false, 'corrupt'],
    ]);
    const suffix = format === '--jpeg' ? '/compressed' : '';
    assert.deepEqual(rows[0].frames, { [`/overhead/image_raw${suffix}`]: 31, [`/wrist/image_raw${suffix}`]: 31 });
    assert.equal(rows[0].drops, 0);
    assert.match(String((rows[3].problems as string[])[0]), /notes\.mcap is not an MCAP file/);
    const text = await runRecorderCli(['episodes', episodes]);
    assert.match(text.stdout, /episode_000007 .* no \(truncated\)/);
    assert.match(text.stdout, /4 episode\(s\), 2 complete/);
    await assert.rejects(catalogEpisodes(join(root, 'nowhere')), (e: unknown) => e instanceof UserError && /cannot read the folder .*nowhere/.test(e.message));
  });

  it('exports LeRobot v3.0, skipping corrupt and truncated episodes with a warning', { timeout: 120_000 }, async () => {
    const out = join(root, 'ds-v3');
    const run = await runRecorderCli(['export', 'lerobot', episodes, '--out', out, '--format', 'v3', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: skipping episode_000007: incomplete/);
    assert.match(run.stderr, /warning: skipping notes: unreadable/);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as Row;
    assert.equal(result.episodes, 2);
    assert.equal(result.skipped, 2);

    const info = json(join(out, 'meta', 'info.json'));
    assert.equal(info.codebase_version, 'v3.0');
    assert.equal(info.fps, 30);
    assert.equal(info.total_episodes, 2);
    const features = info.features as Record<string, Row>;
    assert.deepEqual(features['observation.state'].shape, [7]);
    assert.equal((features['observation.state'].names as string[])[6], 'gripper_finger_left');
    assert.deepEqual(features['observation.images.wrist'].shape, [480, 640, 3]);
    assert.equal((features['observation.images.wrist'].info as Row)['video.codec'], 'h264');
    for (const key of ['action', 'timestamp', 'frame_index', 'episode_index', 'index', 'task_index', 'next.done', 'next.success']) {
      assert.ok(features[key], `feature ${key}`);
    }
    const rows = await readParquet(join(out, 'data', 'chunk-000', 'file-000.parquet'));
    const total = num(info.total_frames);
    assert.equal(rows.length, total);
    assert.deepEqual(Object.keys(rows[0]).sort(), ['action', 'episode_index', 'frame_index', 'index', 'next.done', 'next.success',
      'observation.state', 'task_index', 'timestamp'].sort());
    rows.forEach((r, i) => assert.equal(num(r.index), i, 'index runs 0..N-1'));
    const eps = await readParquet(join(out, 'meta', 'episodes', 'chunk-000', 'file-000.parquet'));
    assert.deepEqual(eps.map((e) => [num(e.dataset_from_index), num(e.dataset_to_index)]), [[0, num(eps[0].length)], [num(eps[0].length), total]]);
    assert.deepEqual(eps.map((e) => num(e.length)), [31, 37], "every stream runs 0..limit s: 1 s and 1.2 s at 30 fps");
    for (const [e, ep] of eps.entries()) {
      const mine = rows.filter((r) => num(r.episode_index) === e);
      assert.equal(mine.length, num(ep.length));
      mine.forEach((r, k) => {
        assert.equal(num(r.frame_index), k);
        assert.ok(Math.abs(num(r.timestamp) - k / 30) < 1e-6);
        assert.equal(r['next.done'], k === mine.length - 1);
        assert.equal((r['observation.state'] as number[]).length, 7);
      });
      assert.deepEqual(ep.tasks, [TASK]);
      assert.ok(Math.abs(num(ep['videos/observation.images.wrist/to_timestamp']) - num(ep['videos/observation.images.wrist/from_timestamp']) - num(ep.length) / 30) < 1e-9);
    }
    const tasks = await readParquet(join(out, 'meta', 'tasks.parquet'));
    assert.deepEqual(tasks.map((t) => [num(t.task_index), t.__index_level_0__]), [[0, TASK]]);
    const stats = json(join(out, 'meta', 'stats.json')) as Record<string, Row>;
    assert.deepEqual(stats['observation.state'].count, [total]);
    assert.equal((stats['observation.images.overhead'].mean as number[][][]).length, 3);
    for (const cam of ['overhead', 'wrist']) {
      const p = probe(join(out, 'videos', `observation.images.${cam}`, 'chunk-000', 'file-000.mp4'));
      assert.deepEqual(p, { frames: total, rate: '30/1', codec: 'h264', pixFmt: 'yuv420p', width: 640, height: 480 });
    }

    await assert.rejects(
      exportLeRobot({ inDir: episodes, outDir: join(root, 'ds-strict'), format: 'v3.0', strict: true, warn: () => undefined }),
      (e: unknown) => e instanceof UserError && /export: episode_000007: incomplete \(truncated\).*--strict/.test(e.message),
    );
    await assert.rejects(
      exportLeRobot({ inDir: episodes, outDir: out, format: 'v3.0', warn: () => undefined }),
      (e: unknown) => e instanceof UserError && /exists and is not empty/.test(e.message),
    );
  });

  it('exports LeRobot v2.1: one parquet and one mp4 per episode, JSON-lines metadata', { timeout: 120_000 }, async () => {
    const out = join(root, 'ds-v21');
    const run = await runRecorderCli(['export', 'lerobot', episodes, '--out', out, '--format', 'v2.1']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /LeRobotDataset v2\.1: 2 episode\(s\)/);
    const info = json(join(out, 'meta', 'info.json'));
    assert.equal(info.codebase_version, 'v2.1');
    assert.equal(info.total_videos, 4);
    assert.equal(info.data_path, 'data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet');
    const episodesMeta = jsonLines(join(out, 'meta', 'episodes.jsonl'));
    assert.deepEqual(jsonLines(join(out, 'meta', 'tasks.jsonl')), [{ task_index: 0, task: TASK }]);
    let index = 0;
    for (const ep of episodesMeta) {
      const e = num(ep.episode_index);
      const rows = await readParquet(join(out, 'data', 'chunk-000', `episode_${String(e).padStart(6, '0')}.parquet`));
      assert.equal(rows.length, num(ep.length));
      for (const r of rows) assert.equal(num(r.index), index++, 'index continues across episodes');
      assert.ok(rows.every((r) => num(r.episode_index) === e));
      for (const cam of ['overhead', 'wrist']) {
        const p = probe(join(out, 'videos', 'chunk-000', `observation.images.${cam}`, `episode_${String(e).padStart(6, '0')}.mp4`));
        assert.equal(p.frames, rows.length);
        assert.equal(p.rate, '30/1');
      }
    }
    assert.equal(index, num(info.total_frames));
    const epStats = jsonLines(join(out, 'meta', 'episodes_stats.jsonl'));
    const s0 = epStats[0].stats as Record<string, Row>;
    assert.deepEqual(s0.frame_index.min, [0]);
    assert.equal((s0['observation.images.wrist'].max as number[][][])[0][0].length, 1, 'image stats are [3][1][1]');
  });

  it('records K episodes of fresh worlds after a reset period, with the object metadata from flags', async () => {
    const dir = join(root, 'towels');
    const run = await runRecorderCli(['record', '--task', 'towel to bin', '--object', 'towel', '--seconds', '0.5', '--episodes', '2',
      '--reset-seconds', '0.3', '--seed', '3', '--camera', 'wrist', '--material', 'cotton terry', '--size', '0.5,0.3', '--mass', '0.12',
      '--out', dir, format]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /episode 2\/2: reset/, 'progress names the episode and the reset');
    const sidecars = [0, 1].map((i) => readSidecar(join(dir, `episode_00000${i}.json`)));
    assert.deepEqual(sidecars.map((s) => s.extra?.seed), ['3', '4'], 'episode k runs in the world of seed + k');
    for (const s of sidecars) {
      assert.deepEqual(s.object, { name: 'towel', category: 'cloth', material: 'cotton terry', approxSizeM: [0.5, 0.3], massKg: 0.12 });
      assert.equal(s.reason, 'time_limit');
      assert.equal(s.extra?.reset_s, '0.3');
    }
  });

  it('refuses bad record flags and cameras', async () => {
    const run = await runRecorderCli(['record', '--task', 'x', '--seconds', '1', '--out', episodes, '--camera', 'ceiling']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--camera.*overhead, wrist/);
    const sock = await runRecorderCli(['record', '--task', 'x', '--seconds', '1', '--out', episodes, '--object', 'sock']);
    assert.equal(sock.code, 2);
    assert.match(sock.stderr, /--object "sock" has no sim task; known: towel, box/);
    const category = await runRecorderCli(['record', '--task', 'x', '--seconds', '1', '--out', episodes, '--category', 'plastic']);
    assert.equal(category.code, 2);
    assert.match(category.stderr, /--category must be one of cloth, bag, cardboard, rigid, got "plastic"/);
    const size = await runRecorderCli(['record', '--task', 'x', '--seconds', '1', '--out', episodes, '--size', '0.3,big']);
    assert.equal(size.code, 2);
    assert.match(size.stderr, /--size.*1 to 3 lengths in metres/);
    await assert.rejects(
      runRecord({ source: 'sim', task: 'x', object: 'box', seconds: 1, outDir: episodes, cameras: ['ceiling'], format: 'raw' }),
      (e: unknown) => e instanceof UserError && /unknown sim camera "ceiling"/.test(e.message),
    );
  });
});
