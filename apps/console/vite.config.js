// Vite build of the agent console, served by the server under /console/.
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: {
    proxy: {
      '/api': { target: process.env.FLUX_SERVER ?? 'http://127.0.0.1:8080', ws: true },
      '/sdk': { target: process.env.FLUX_SERVER ?? 'http://127.0.0.1:8080' },
    },
  },
});
