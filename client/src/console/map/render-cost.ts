// Whether WebGL runs on the CPU (SwiftShader, llvmpipe: a wall PC whose GPU Chrome has blocklisted,
// a remote desktop, a headless test). There a map frame costs hundreds of milliseconds of the page's
// main thread instead of a few, so the console draws only when data changes and never animates.
let cached: boolean | null = null;

export function softwareRendering(): boolean {
  if (cached !== null) return cached;
  try {
    const gl = document.createElement('canvas').getContext('webgl');
    const info = gl?.getExtension('WEBGL_debug_renderer_info');
    const renderer = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
    cached = /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
  } catch {
    cached = false;
  }
  return cached;
}
