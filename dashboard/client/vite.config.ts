import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Built by `npm run build` into dist/dashboard/client, which DashboardServer serves. base './' keeps every
// asset URL relative, so the page also works behind a reverse proxy's path prefix.
const clientDir = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../../dist/dashboard/client', import.meta.url));

export default defineConfig({
  root: clientDir,
  base: './',
  publicDir: fileURLToPath(new URL('./public', import.meta.url)),
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // three.js alone is ~700 kB minified; one chunk is fine for a LAN dashboard.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npx vite --config dashboard/client/vite.config.ts` during development, next to a running DashboardServer.
    proxy: {
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
      '/robot.urdf': 'http://127.0.0.1:8080',
    },
  },
});
