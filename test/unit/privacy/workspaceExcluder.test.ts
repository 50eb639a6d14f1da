// Issue 11 items 5-7: exclusion decided on the real path (symlinks), per folder in a multi-root
// workspace, and the credential files the defaults missed. Table-driven, then end to end with real
// symlinks on disk.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPathExcluder } from '../../../src/core/privacy/pathExclusion';
import { createWorkspaceExcluder } from '../../../src/core/privacy/workspaceExcluder';

describe('workspace exclusion: defaults, folders, symlinks (issue 11 items 5-7)', () => {
  describe('the built-in floor holds common credential files', () => {
    const e = createPathExcluder();
    const excluded = [
      'keys/server.ppk', 'credentials.json', 'config/credentials.json', 'service-account.json', 'deploy/service-account-prod.json',
      'infra/prod.tfvars', 'infra/prod.tfvars.json', 'terraform.tfstate', 'infra/terraform.tfstate.backup', '.htpasswd', 'web/.htpasswd',
      '.docker/config.json', 'home/me/.docker/config.json', '.kube/config', 'ops/.kube/config', '.pgpass', '.netrc', '.my.cnf',
      '.ssh/id_ed25519', 'id_rsa', 'id_rsa.pub', 'id_ecdsa', 'id_ed25519_sk', 'id_dsa', 'id_xmss',
    ];
    for (const p of excluded) it(`${p} is excluded`, () => assert.equal(e.isExcludedPath(p).excluded, true));
    const ordinary = ['src/credentials.ts', 'docs/service-accounts.md', 'infra/main.tf', 'infra/variables.tf', 'src/id_generator.py', 'kube/config.yaml', 'docker/config.ts'];
    for (const p of ordinary) it(`${p} is not`, () => assert.equal(e.isExcludedPath(p).excluded, false));
    it('a .tandemignore negation cannot re-open them', () => {
      const x = createPathExcluder({ tandemignoreText: '!*.tfvars\n!.pgpass\n!**/.kube/config\n' });
      for (const p of ['prod.tfvars', '.pgpass', '.kube/config']) assert.equal(x.isExcludedPath(p).excluded, true, p);
    });
  });

  describe('multi-root: each .tandemignore governs its own folder only', () => {
    const ws = createWorkspaceExcluder({
      folders: [
        { root: '/w/api', tandemignoreText: 'fixtures/\nlocal-notes.md\n' },
        { root: '/w/web', tandemignoreText: '!fixtures/\n!local-notes.md\n!.env\n!*.pem\n' },
        { root: '/w/web/packages/inner', tandemignoreText: 'generated/\n' },
      ],
    });
    const table: Array<[string, boolean]> = [
      ['/w/api/fixtures/users.json', true], // api's own rule
      ['/w/api/local-notes.md', true],
      ['/w/web/fixtures/users.json', false], // api's rule does not reach web
      ['/w/web/.env', true], // web's `!.env` cannot re-open the floor
      ['/w/web/certs/server.pem', true],
      ['/w/api/.env', true],
      ['/w/web/packages/inner/generated/a.ts', true], // the innermost folder owns the path
      ['/w/web/packages/inner/src/a.ts', false],
      ['/elsewhere/.env', true], // outside every folder: the defaults still apply
      ['/elsewhere/readme.md', false],
    ];
    for (const [p, want] of table) it(`${p} → ${want ? 'excluded' : 'allowed'}`, () => assert.equal(ws.isExcluded(p).excluded, want));
  });

  describe('symlinks: the real path decides as well as the path shown (table)', () => {
    const links: Record<string, string> = {
      '/w/app/safe.txt': '/w/app/.env',
      '/w/app/conf/settings.txt': '/home/me/.aws/credentials',
      '/w/app/vendor/key.txt': '/w/app/secrets/prod.key',
      '/w/app/linked/readme.md': '/w/app/readme.md',
    };
    const ws = createWorkspaceExcluder({ folders: [{ root: '/w/app', tandemignoreText: 'private/\n' }], realPath: (p) => links[p] ?? p });
    const table: Array<[string, boolean]> = [
      ['/w/app/safe.txt', true],
      ['/w/app/conf/settings.txt', true],
      ['/w/app/vendor/key.txt', true],
      ['/w/app/linked/readme.md', false],
      ['/w/app/src/index.ts', false],
    ];
    for (const [p, want] of table) it(`${p} → ${want ? 'excluded' : 'allowed'}`, () => {
      const r = ws.isExcluded(p);
      assert.equal(r.excluded, want);
      if (r.excluded && links[p]) assert.match(r.rule, /symlink to/);
    });
  });

  describe('end to end with real symlinks on disk', () => {
    let dir: string;
    before(() => {
      dir = realpathSync(mkdtempSync(join(tmpdir(), 'tandem-symlinks-')));
      const app = join(dir, 'app');
      mkdirSync(join(app, 'src'), { recursive: true });
      mkdirSync(join(app, 'secrets'), { recursive: true });
      mkdirSync(join(dir, 'outside', '.ssh'), { recursive: true });
      writeFileSync(join(app, '.env'), 'DB_PASSWORD=hunter2hunter2\n');
      writeFileSync(join(app, 'secrets', 'token.txt'), 'x');
      writeFileSync(join(dir, 'outside', '.ssh', 'id_ed25519'), 'key');
      writeFileSync(join(app, 'src', 'index.ts'), 'export {};\n');
      symlinkSync(join(app, '.env'), join(app, 'safe.txt'));
      symlinkSync(join(app, 'secrets'), join(app, 'src', 'data')); // a symlinked directory
      symlinkSync(join(dir, 'outside', '.ssh'), join(app, 'keys'));
      symlinkSync(join(app, 'src', 'index.ts'), join(app, 'entry.ts'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const realPath = (p: string) => { try { return realpathSync.native(p); } catch { return undefined; } };
    it('safe.txt -> .env, a file under a linked directory, and a linked ~/.ssh are excluded; a link to code is not', () => {
      const app = join(dir, 'app');
      const ws = createWorkspaceExcluder({ folders: [{ root: app }], realPath });
      assert.equal(ws.isExcluded(join(app, 'safe.txt')).excluded, true);
      assert.equal(ws.isExcluded(join(app, 'src', 'data', 'token.txt')).excluded, true);
      assert.equal(ws.isExcluded(join(app, 'keys', 'id_ed25519')).excluded, true);
      assert.equal(ws.isExcluded(join(app, 'entry.ts')).excluded, false);
      assert.equal(ws.isExcluded(join(app, 'src', 'index.ts')).excluded, false);
      // Without resolving, the shown path alone lets them through (what the issue found).
      const shownOnly = createWorkspaceExcluder({ folders: [{ root: app }] });
      assert.equal(shownOnly.isExcluded(join(app, 'safe.txt')).excluded, false);
    });
  });
});
