// The rules that keep the architecture honest: src/core decides, src/vscode adapts, so nothing
// under src/core may import `vscode` (it must run under plain mocha, in the CLI and the benchmark);
// and inside src/core imports go downward only (layer table in eslint-rules/layerOrder.mjs).
import tseslint from 'typescript-eslint';
import tandem from './eslint-rules/layerOrder.mjs';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', '.test-host/**', 'media/vendor/**', 'test-results/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      'no-debugger': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    plugins: { tandem },
    rules: { 'tandem/layer-order': 'error' },
  },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core and src/cli must not import vscode: put VS Code glue in src/vscode.' }],
      }],
    },
  },
);
