import type { CameraInfoWire, DecodedFrame } from '../../server/ops-protocol.js';

/**
 * One live camera: the JPEG decoded off the main thread (createImageBitmap), drawn on a canvas with the
 * detections on an overlay canvas. The frame is acknowledged once drawn, which is what lets the server send the
 * next: a busy page simply gets fewer frames.
 */
export class CameraPanel {
  readonly root: HTMLElement;
  frames = 0;
  detectionsDrawn = 0;
  readonly #image: HTMLCanvasElement;
  readonly #overlay: HTMLCanvasElement;
  readonly #label: HTMLElement;
  #decoding = false;
  #next: DecodedFrame | undefined;

  constructor(readonly info: CameraInfoWire, readonly ack: (camera: string, seq: number) => void) {
    this.root = document.createElement('figure');
    this.root.className = 'camera-panel';
    this.root.dataset.camera = info.name;
    this.#image = document.createElement('canvas');
    this.#overlay = document.createElement('canvas');
    this.#overlay.className = 'overlay';
    for (const c of [this.#image, this.#overlay]) {
      c.width = info.width;
      c.height = info.height;
    }
    const stack = document.createElement('div');
    stack.className = 'camera-stack';
    stack.append(this.#image, this.#overlay);
    this.#label = document.createElement('figcaption');
    this.#label.textContent = `${info.name} · waiting for frames`;
    this.root.append(stack, this.#label);
  }

  show(frame: DecodedFrame): void {
    // Keep only the newest while one decodes: older frames are worthless.
    this.#next = frame;
    if (!this.#decoding) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#decoding = true;
    try {
      while (this.#next) {
        const frame = this.#next;
        this.#next = undefined;
        try {
          const bitmap = await createImageBitmap(new Blob([frame.jpeg as BlobPart], { type: 'image/jpeg' }));
          this.#draw(frame, bitmap);
          bitmap.close();
        } catch {
          // A torn JPEG: skip it, the next frame comes after the ack.
        }
        if (frame.header.kind === 'live') this.ack(frame.header.camera, frame.header.seq);
      }
    } finally {
      this.#decoding = false;
    }
  }

  #draw(frame: DecodedFrame, bitmap: ImageBitmap): void {
    const { width, height } = frame.header;
    for (const c of [this.#image, this.#overlay]) {
      if (c.width !== width || c.height !== height) [c.width, c.height] = [width, height];
    }
    this.#image.getContext('2d')!.drawImage(bitmap, 0, 0);
    const ctx = this.#overlay.getContext('2d')!;
    ctx.clearRect(0, 0, width, height);
    const dets = frame.header.detections ?? [];
    ctx.lineWidth = 2;
    ctx.font = '13px system-ui, sans-serif';
    for (const d of dets) {
      ctx.strokeStyle = '#39ff88';
      ctx.strokeRect(d.cx - d.w / 2, d.cy - d.h / 2, d.w, d.h);
      const text = `${d.label} ${(d.score * 100).toFixed(0)}%`;
      ctx.fillStyle = 'rgba(0,0,0,0.6)';
      ctx.fillRect(d.cx - d.w / 2, d.cy - d.h / 2 - 16, ctx.measureText(text).width + 6, 16);
      ctx.fillStyle = '#39ff88';
      ctx.fillText(text, d.cx - d.w / 2 + 3, d.cy - d.h / 2 - 4);
    }
    this.detectionsDrawn += dets.length;
    this.frames++;
    this.#label.textContent = `${frame.header.camera} · ${frame.header.kind === 'replay' ? `frame ${frame.header.seq}` : `#${frame.header.seq}`}${dets.length ? ` · ${dets.length} detections` : ''}`;
  }
}
