// Bundles the extension (and the in-VS Code test suite) with esbuild; no network needed.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  external: ['vscode'],
  sourcemap: false,
  logLevel: 'warning',
};

await build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', minify: true });
await build({ ...common, entryPoints: ['test/suite/index.ts'], outfile: 'out/test/suite/index.js' });
console.log('bundled dist/extension.js and out/test/suite/index.js');
