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
  // A CPU rasteriser (SwiftShader, llvmpipe) spends ~10x longer per pixel: no MSAA, no shadow pass, 1:1 pixels.
  low: { name: 'low', antialias: false, shadows: false, maxPixelRatio: 1, maxFps: 20 },
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
