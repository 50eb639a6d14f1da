// `npm run bench`: runs bench/bench.ts (TypeScript, through tsx) with the arguments given, e.g.
// `npm run bench -- --seed 2` or `npm run bench -- --quick`. See bench/bench.ts for what it measures.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', join('bench', 'bench.ts'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
