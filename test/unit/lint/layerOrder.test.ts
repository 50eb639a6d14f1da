// The layer rule is only worth having if it fails: run ESLint (the project's own config, as
// `npm run lint` does) over deliberate examples placed at paths inside src/core.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { ESLint } from 'eslint';

const repoRoot = path.resolve(__dirname, '../../..');

interface Case {
  name: string;
  file: string;
  source: string;
  expected: 'ok' | 'upward' | 'sideways' | 'unmapped' | 'outside';
}

const cases: Case[] = [
  { name: 'cost importing routing (upward)', file: 'src/core/cost/badExample.ts', source: "import { decideRoute } from '../routing/routeDecision';\nexport const x = decideRoute;\n", expected: 'upward' },
  { name: 'shared importing cost (upward from the bottom)', file: 'src/core/shared/badExample.ts', source: "import type { Ledger } from '../cost/ledger';\nexport type X = Ledger;\n", expected: 'upward' },
  { name: 'settings.ts importing privacy (upward)', file: 'src/core/badExample.ts', source: "export { createPathExcluder } from './privacy/pathExclusion';\n", expected: 'upward' },
  { name: 'backends importing completion via dynamic import (upward)', file: 'src/core/backends/badExample.ts', source: "export const load = () => import('../completion/completionEngine');\n", expected: 'upward' },
  { name: 'completion importing refactor (same layer, other folder)', file: 'src/core/completion/badExample.ts', source: "import { parseRefactorReply } from '../refactor/refactorReply';\nexport const x = parseRefactorReply;\n", expected: 'sideways' },
  { name: 'core importing the vscode adapter', file: 'src/core/routing/badExample.ts', source: "import { x } from '../../vscode/services';\nexport const y = x;\n", expected: 'outside' },
  { name: 'an unmapped folder', file: 'src/core/newRoom/badExample.ts', source: "import { x } from '../shared/clock';\nexport const y = x;\n", expected: 'unmapped' },
  { name: 'refactor importing routing, cost and shared (downward)', file: 'src/core/refactor/goodExample.ts', source: "import { decideRoute } from '../routing/routeDecision';\nimport { costBreakdown } from '../cost/costMath';\nimport type { Clock } from '../shared/clock';\nimport { DEFAULT_SETTINGS } from '../settings';\nexport const x = [decideRoute, costBreakdown, DEFAULT_SETTINGS];\nexport type C = Clock;\n", expected: 'ok' },
  { name: 'a file importing its own folder', file: 'src/core/privacy/goodExample.ts', source: "import { createPathExcluder } from './pathExclusion';\nexport const x = createPathExcluder;\n", expected: 'ok' },
];

const messageIdOf: Record<Case['expected'], RegExp> = {
  ok: /^$/,
  upward: /imports go downward only/,
  sideways: /folders of one layer may not import each other/,
  unmapped: /has no layer/,
  outside: /core stands alone/,
};

describe('lint: layer order in src/core', function () {
  this.timeout(60_000);
  const eslint = new ESLint({ cwd: repoRoot });

  for (const c of cases) {
    it(`${c.expected === 'ok' ? 'allows' : 'rejects'} ${c.name}`, async () => {
      const [result] = await eslint.lintText(c.source, { filePath: path.join(repoRoot, c.file) });
      const layerMessages = result.messages.filter((m) => m.ruleId === 'tandem/layer-order');
      if (c.expected === 'ok') {
        assert.deepEqual(layerMessages.map((m) => m.message), []);
      } else {
        assert.equal(layerMessages.length, 1, JSON.stringify(result.messages));
        assert.match(layerMessages[0].message, messageIdOf[c.expected]);
        assert.equal(layerMessages[0].severity, 2);
      }
    });
  }
});
