// Bundles what ships (dist/extension.js, dist/cli.js) and what the integration suites run inside
// VS Code (out/integration/**). `vscode` stays external: the extension host provides it.
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const production = !process.argv.includes('--dev');

// gpt-tokenizer's o200k table is 2.4 MB: it lives in its own file, loaded only when a cloud
// request is priced, so activation never parses it.
const tokenizerExternal = {
  name: 'tokenizer-external',
  setup(build) {
    build.onResolve({ filter: /^gpt-tokenizer\/encoding\/o200k_base$/ }, () => ({ path: './tokenizer.js', external: true }));
  },
};

const shared = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  logLevel: 'warning',
};

rmSync('dist', { recursive: true, force: true });
rmSync('out', { recursive: true, force: true });

await esbuild.build({
  ...shared,
  entryPoints: { extension: 'src/vscode/extension.ts', ...(existsSync('src/cli/cli.ts') ? { cli: 'src/cli/cli.ts' } : {}) },
  outdir: 'dist',
  minify: production,
  sourcemap: true,
  sourcesContent: false,
  plugins: [tokenizerExternal],
});

await esbuild.build({
  ...shared,
  entryPoints: { tokenizer: 'node_modules/gpt-tokenizer/esm/encoding/o200k_base.js' },
  outdir: 'dist',
  minify: production,
});

// The spend view's chart library ships as a file the webview loads (its CSP allows scripts only
// with a nonce, from the extension's own files). The minified UMD build keeps its license header;
// the source-map comment goes, since the map itself is not shipped.
writeFileSync('dist/chart.umd.min.js',
  readFileSync('node_modules/chart.js/dist/chart.umd.min.js', 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'));

// Integration suites: one file per test file, mocha resolved at run time from node_modules.
const suitesDir = 'test/integration/suites';
const entries = { index: 'test/integration/index.ts' };
for (const suite of existsSync(suitesDir) ? readdirSync(suitesDir) : []) {
  for (const f of readdirSync(join(suitesDir, suite))) {
    if (f.endsWith('.test.ts')) entries[`suites/${suite}/${f.replace(/\.ts$/, '')}`] = join(suitesDir, suite, f);
  }
}
await esbuild.build({
  ...shared,
  entryPoints: entries,
  outdir: 'out/integration',
  external: ['vscode', 'mocha'],
  sourcemap: 'inline',
  plugins: [tokenizerExternal],
});
