/**
 * One config, three jobs:
 *   vite                    dev server of the demo CRM page at http://127.0.0.1:5173/demo/
 *   vite build              library build (ES modules) into dist/lib: elements, configure, react, engine
 *   vite build --mode demo  the demo page as a static site into dist/demo (firebase.json hosting)
 * Firebase and React stay external (the host's own copies, so the elements share the host's
 * Auth); Vue and Pinia are bundled. A plain page maps `firebase/*` with an import map.
 */
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const external = [/^firebase(\/|$)/, /^@firebase\//, /^react(\/|$)/, /^react-dom(\/|$)/];

// The demo site is built from demo/ so its index.html lands at the root of dist/demo.
const demoBuild = { outDir: `${root}dist/demo`, emptyOutDir: true, target: 'es2022' };

export default defineConfig(({ command, mode }) => ({
  root: mode === 'demo' ? `${root}demo` : root,
  // A drop-in bundle for plain pages: Vue's development branches are compiled out.
  define:
    command === 'build'
      ? {
          'process.env.NODE_ENV': JSON.stringify('production'),
          __VUE_PROD_DEVTOOLS__: 'false',
          __VUE_OPTIONS_API__: 'false',
          __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
        }
      : {},
  plugins: [vue({ features: { customElement: /\.ce\.vue$/ } })],
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  // Pre-bundle what the demo and test pages import, so no page reloads mid-test to optimize a late dependency.
  optimizeDeps: { entries: ['demo/index.html', 'src/**/testing/*.html'] },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  build:
    mode === 'demo'
      ? demoBuild
      : {
          outDir: 'dist/lib',
          emptyOutDir: true,
          target: 'es2022',
          minify: true,
          lib: {
            entry: {
              elements: 'src/elements/index.ts',
              configure: 'src/configure.ts',
              react: 'src/react/index.ts',
              engine: 'src/engine.ts',
            },
            formats: ['es'],
          },
          rolldownOptions: { external },
        },
}));
