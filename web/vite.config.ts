/**
 * Vite build of the OneCity web app. Everything the app needs ships in `dist/`: no CDN,
 * no remote fonts, no map tiles (the base map is drawn from the platform's own GeoJSON).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2500,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
