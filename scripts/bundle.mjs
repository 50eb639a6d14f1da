// Bundles what ships (dist/extension.js, dist/cli.js) and what the integration suites run inside
// VS Code (out/integration/**). `vscode` stays external: the extension host provides it.
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const production = !process.argv.includes('--dev');

// Heavy dependencies live in files of their own next to the bundle, required only on first use:
// gpt-tokenizer's o200k table (2.4 MB, when a cloud request is priced), the openai SDK (when the
// cloud or an OpenAI-compatible local server is called) and secretlint's rules (when a cloud
// payload is scanned). Activation then parses only our own code.
// Each is a CommonJS file; the source's import() of one becomes require() (see `supported` below),
// which sees every export whatever the package's own module format.
const VENDOR = {
  'gpt-tokenizer/encoding/o200k_base': 'tokenizer.js',
  'openai': 'openai.js',
  '@secretlint/core': 'secretlint-core.js',
  '@secretlint/secretlint-rule-preset-recommend': 'secretlint-preset.js',
  // Its own file so that our code and secretlint's core share one profiler (secretRedactor.ts turns
  // its marks off).
  '@secretlint/profiler': 'secretlint-profiler.js',
};
const vendorExternal = {
  name: 'vendor-external',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(VENDOR).map((k) => k.replace(/[/.]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: `./${VENDOR[args.path]}`, external: true }));
  },
};

const shared = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  logLevel: 'warning',
  // import() of a vendor file must become require(): VS Code's extension host resolves a native
  // import() of a CommonJS file without its named exports ("t.lintSource is not a function").
  supported: { 'dynamic-import': false },
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
  plugins: [vendorExternal],
});

// Each vendor file re-exports its package: one copy of the openai SDK, so its error classes are the
// ones instanceof checks see.
await esbuild.build({
  ...shared,
  entryPoints: Object.fromEntries(Object.entries(VENDOR).map(([pkg, file]) => [file.replace(/\.js$/, ''), `vendor-entry:${pkg}`])),
  outdir: 'dist',
  minify: production,
  plugins: [{
    name: 'vendor-entry',
    setup(build) {
      build.onResolve({ filter: /^vendor-entry:/ }, (args) => ({ path: args.path.slice('vendor-entry:'.length), namespace: 'vendor-entry' }));
      // Inside another vendor file, the profiler is the shared file, not a copy of its own.
      build.onResolve({ filter: /^@secretlint\/profiler$/ }, (args) => (args.namespace === 'vendor-entry' ? undefined : { path: './secretlint-profiler.js', external: true }));
      build.onLoad({ filter: /.*/, namespace: 'vendor-entry' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`, resolveDir: process.cwd(), loader: 'js',
      }));
    },
  }],
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
});
