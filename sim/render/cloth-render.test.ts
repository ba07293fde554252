// The towel in camera images: recorded towel demonstrations must show the towel. Overhead, it covers the pixels
// its id marks, brighter than the table; a world without a cloth has none of them; a flipped towel still shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimWorld } from '../sim-arm-driver.js';
import { SceneRenderer, objectId } from './scene-renderer.js';
import { overheadView } from './sim-views.js';

function renderOverhead(cloth: boolean): { rgb: Uint8Array; ids: Uint8Array } {
  const { world } = createSimWorld({ seed: 1, boxes: 0, cloth });
  const view = overheadView();
  const { width, height } = view.camera.intrinsics;
  const rgb = new Uint8Array(3 * width * height), ids = new Uint8Array(width * height);
  SceneRenderer.forWorld(world).renderWorld(world, view, rgb, ids);
  return { rgb, ids };
}

test('the overhead camera sees the towel as a bright patch with its own object id', () => {
  const withCloth = renderOverhead(true);
  const towelId = objectId(0);
  let pixels = 0, brightness = 0;
  withCloth.ids.forEach((id, i) => {
    if (id !== towelId) return;
    pixels++;
    brightness += (withCloth.rgb[3 * i] + withCloth.rgb[3 * i + 1] + withCloth.rgb[3 * i + 2]) / 3;
  });
  // 0.3 m x 0.3 m seen from above covers thousands of pixels at 640x480.
  assert.ok(pixels > 2000, `towel pixels: ${pixels}`);
  assert.ok(brightness / pixels > 150, `mean towel brightness ${brightness / pixels}`);
  const without = renderOverhead(false);
  assert.equal(without.ids.filter((id) => id === towelId).length, 0);
});

test('a towel lying upside down still renders: both sides of the cloth are drawn', () => {
  const { world } = createSimWorld({ seed: 1, boxes: 0, cloth: true });
  const c = world.cloth!;
  // Mirroring the grid in x turns every triangle's winding over, as a towel flipped onto its back does.
  let cx = 0;
  for (let i = 0; i < c.rows * c.cols; i++) cx += c.positions[3 * i] / (c.rows * c.cols);
  for (let i = 0; i < c.rows * c.cols; i++) c.positions[3 * i] = 2 * cx - c.positions[3 * i];
  const view = overheadView();
  const { width, height } = view.camera.intrinsics;
  const rgb = new Uint8Array(3 * width * height), ids = new Uint8Array(width * height);
  SceneRenderer.forWorld(world).renderWorld(world, view, rgb, ids);
  const seen = ids.filter((id) => id === objectId(0)).length;
  assert.ok(seen > 2000, `flipped towel pixels: ${seen}`);
});
