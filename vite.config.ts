// Vite config for the browser console (client/). Nothing here reaches the internet:
// the map library, its worker and its CSS are bundled from node_modules.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = `http://127.0.0.1:${process.env.PORT ?? 3000}`;

export default defineConfig({
  root: 'client',
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: `${repoRoot}dist/client`,
    emptyOutDir: true,
    // maplibre-gl alone is ~1 MB minified; it is one cacheable chunk, not a problem to warn about.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/docs': { target: apiTarget, changeOrigin: false },
      '/socket.io': { target: apiTarget, ws: true, changeOrigin: false },
    },
  },
});
