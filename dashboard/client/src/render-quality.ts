/** How hard the view works per frame. Chosen once, before the WebGL context exists (antialias is fixed then). */
export interface RenderQuality {
  name: 'high' | 'low';
  antialias: boolean;
  shadows: boolean;
  maxPixelRatio: number;
  /** Upper bound on redraws per second; the joint stream is 30 Hz at most anyway. */
  maxFps: number;
}

export const QUALITY_PRESETS: Record<RenderQuality['name'], RenderQuality> = {
  high: { name: 'high', antialias: true, shadows: true, maxPixelRatio: 2, maxFps: 60 },
  // A CPU rasteriser (SwiftShader, llvmpipe) spends ~10x longer per pixel, and in headless Chromium it rasterises
  // synchronously on the page's main thread: at 1:1 pixels a 960×600 view took ~80 ms a frame, and every click
  // (the e-stop's included) waited behind it. 0.4 pixel ratio (~6× fewer pixels, ~10 ms a frame), 15 fps, no
  // MSAA, no shadow pass: `bench dashboard` e-stop click p99 went from 232 ms to 39 ms.
  low: { name: 'low', antialias: false, shadows: false, maxPixelRatio: 0.4, maxFps: 15 },
};

/** The GL renderer string, from a throwaway context, or '' when WebGL is unavailable. */
export function probeRendererName(): string {
  const canvas = document.createElement('canvas');
  const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
  if (!gl) return '';
  // Browsers mask gl.RENDERER ('WebKit WebGL'); the debug extension gives the real one where allowed.
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return name;
}

export function isSoftwareRenderer(rendererName: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(rendererName);
}

/** `?quality=high|low` wins; otherwise software renderers get `low`. */
export function chooseRenderQuality(search: string = location.search, probe: () => string = probeRendererName): RenderQuality {
  const asked = new URLSearchParams(search).get('quality');
  if (asked === 'high' || asked === 'low') return QUALITY_PRESETS[asked];
  return isSoftwareRenderer(probe()) ? QUALITY_PRESETS.low : QUALITY_PRESETS.high;
}
