import { strict as assert } from 'node:assert';
import { createPathExcluder, DEFAULT_EXCLUDES, DEFAULT_EXCLUDE_RULES } from '../../../src/core/privacy/pathExclusion';

describe('pathExclusion', () => {
  describe('defaults', () => {
    const excluder = createPathExcluder();
    // [path, excluded, rule that should be named]
    const table: Array<[string, boolean, string?]> = [
      ['.env', true, '.env*'],
      ['.env.local', true, '.env*'],
      ['.env.production', true, '.env*'],
      ['.envrc', true, '.env*'],
      ['services/api/.env', true, '.env*'],
      ['config/prod.env', true, '*.env'],
      ['certs/server.pem', true, '*.pem'],
      ['tls/server.key', true, '*.key'],
      ['id_rsa', true, 'id_rsa*'],
      ['keys/id_rsa.pub', true, 'id_rsa*'],
      ['deploy/id_ed25519', true, 'id_ed25519*'],
      ['id_ecdsa', true, 'id_ecdsa*'],
      ['keys/server.ppk', true, '*.ppk'],
      ['id_xmss', true, 'id_xmss*'],
      ['config/credentials.json', true, 'credentials.json'],
      ['deploy/service-account-prod.json', true, 'service-account*.json'],
      ['infra/prod.tfvars', true, '*.tfvars'],
      ['infra/prod.tfvars.json', true, '*.tfvars.json'],
      ['infra/terraform.tfstate', true, '*.tfstate'],
      ['infra/terraform.tfstate.backup', true, '*.tfstate.*'],
      ['web/.htpasswd', true, '.htpasswd'],
      ['home/.docker/config.json', true, '**/.docker/config.json'],
      ['.kube/config', true, '**/.kube/config'],
      ['.pgpass', true, '.pgpass'],
      ['.my.cnf', true, '.my.cnf'],
      ['id_dsa', true, 'id_dsa*'],
      ['signing/cert.p12', true, '*.p12'],
      ['signing/cert.pfx', true, '*.pfx'],
      ['secrets/db.yaml', true, 'secrets/'],
      ['deploy/secrets/prod/token.txt', true, 'secrets/'],
      ['.npmrc', true, '.npmrc'],
      ['packages/web/.npmrc', true, '.npmrc'],
      ['.pypirc', true, '.pypirc'],
      ['.aws/credentials', true, '.aws/'],
      ['home/.aws/config', true, '.aws/'],
      ['.ssh/config', true, '.ssh/'],
      ['.ssh/known_hosts', true, '.ssh/'],
      ['.netrc', true, '.netrc'],
      ['_netrc', true, '_netrc'],
      ['vault/passwords.kdbx', true, '*.kdbx'],
      ['.git-credentials', true, '.git-credentials'],
      ['android/release.keystore', true, '*.keystore'],
      ['java/trust.jks', true, '*.jks'],
      // Case-insensitive file systems (Windows, macOS) make these the same files.
      ['.ENV', true, '.env*'],
      ['Certs/Server.PEM', true, '*.pem'],
      // Ordinary files stay in.
      ['src/index.ts', false],
      ['src/env.ts', false],
      ['src/environment.ts', false],
      ['docs/secrets.md', false],
      ['src/secretsManager.ts', false],
      ['src/keyboard.ts', false],
      ['src/monkey.ts', false],
      ['README.md', false],
      ['package.json', false],
      ['src/.eslintrc.json', false],
    ];
    for (const [p, excluded, rule] of table) {
      it(`${p} -> ${excluded ? 'excluded' : 'included'}`, () => {
        const r = excluder.isExcludedPath(p);
        assert.equal(r.excluded, excluded);
        if (r.excluded && rule) assert.equal(r.rule, `default: ${rule}`);
      });
    }

    it('every default rule excludes at least one row of the table (no dead rules)', () => {
      const named = new Set(table.filter((r) => r[2]).map((r) => r[2]));
      for (const pattern of DEFAULT_EXCLUDES) assert.ok(named.has(pattern), `no table row for ${pattern}`);
      assert.equal(DEFAULT_EXCLUDE_RULES.every((r) => r.why.length > 0), true);
    });
  });

  describe('.tandemignore (gitignore syntax)', () => {
    const excluder = createPathExcluder({
      tandemignoreText: [
        '# internal data',
        'fixtures/customers/',
        '*.sqlite',
        '/config/prod.json',
        'generated/**',
        '!generated/keep.ts',
        '*.log',
        '!debug.log',
        '!.env.example', // must NOT re-include a default
      ].join('\n'),
    });
    const table: Array<[string, boolean, string?]> = [
      ['fixtures/customers/alice.json', true, '.tandemignore: fixtures/customers/'],
      ['test/fixtures/customers/bob.json', false], // a slash inside the pattern anchors it (gitignore)
      ['customers/bob.json', false],
      ['build/out.log', true, '.tandemignore: *.log'], // slash-free: any depth
      ['fixtures/products.json', false],
      ['data/app.sqlite', true, '.tandemignore: *.sqlite'],
      ['config/prod.json', true, '.tandemignore: /config/prod.json'],
      ['packages/x/config/prod.json', false], // anchored with a leading slash
      ['generated/a/b.ts', true, '.tandemignore: generated/**'],
      ['generated/keep.ts', false], // negation undoes a .tandemignore line
      ['server.log', true, '.tandemignore: *.log'],
      ['debug.log', false],
      ['.env.example', true, 'default: .env*'], // defaults are a floor
      ['# internal data', false],
    ];
    for (const [p, excluded, rule] of table) {
      it(`${p} -> ${excluded ? 'excluded' : 'included'}`, () => {
        const r = excluder.isExcludedPath(p);
        assert.equal(r.excluded, excluded);
        if (r.excluded && rule) assert.equal(r.rule, rule);
      });
    }
  });

  describe('settings globs (tandem.privacy.exclude)', () => {
    const excluder = createPathExcluder({
      globs: ['**/*.secret.json', 'private/**', '*.sql', 'infra/plan.out', 'vendor-keys/', '/top.txt', '{a,b}/conf.ini'],
    });
    const table: Array<[string, boolean, string?]> = [
      ['config/app.secret.json', true, '**/*.secret.json'],
      ['app.secret.json', true, '**/*.secret.json'],
      ['private/notes.md', true, 'private/**'],
      ['private/deep/er/notes.md', true, 'private/**'],
      ['src/private/notes.md', false],
      ['dump.sql', true, '*.sql'],
      ['db/migrations/001.sql', true, '*.sql'], // slash-free globs match the file name anywhere
      ['infra/plan.out', true, 'infra/plan.out'],
      ['other/infra/plan.out', false],
      ['vendor-keys/x/y.txt', true, 'vendor-keys/'],
      ['top.txt', true, '/top.txt'],
      ['sub/top.txt', false],
      ['a/conf.ini', true, '{a,b}/conf.ini'],
      ['b/conf.ini', true, '{a,b}/conf.ini'],
      ['c/conf.ini', false],
      ['src/main.ts', false],
    ];
    for (const [p, excluded, glob] of table) {
      it(`${p} -> ${excluded ? 'excluded' : 'included'}`, () => {
        const r = excluder.isExcludedPath(p);
        assert.equal(r.excluded, excluded);
        if (r.excluded && glob) assert.equal(r.rule, `tandem.privacy.exclude: ${glob}`);
      });
    }

    it('ignores empty globs instead of throwing', () => {
      const e = createPathExcluder({ globs: ['', '  ', '/'] });
      assert.deepEqual(e.isExcludedPath('src/a.ts'), { excluded: false });
    });
  });

  describe('path normalisation', () => {
    const excluder = createPathExcluder({ globs: ['private/**'], tandemignoreText: 'internal/\n' });
    const table: Array<[string, boolean]> = [
      ['services\\api\\.env', true], // Windows separators
      ['private\\notes.md', true],
      ['internal\\x\\y.ts', true],
      ['./private/notes.md', true],
      ['src/../private/notes.md', true],
      ['src//lib///x.ts', false],
      ['src\\lib\\x.ts', false],
      ['', false],
      ['.', false],
      ['src/', false],
    ];
    for (const [p, excluded] of table) {
      it(`${JSON.stringify(p)} -> ${excluded ? 'excluded' : 'included'}`, () => {
        assert.equal(excluder.isExcludedPath(p).excluded, excluded);
      });
    }
  });

  describe('paths outside the workspace', () => {
    const excluder = createPathExcluder({ globs: ['*.secret', 'private/**'], tandemignoreText: 'notes.txt\n' });
    const table: Array<[string, boolean]> = [
      ['/home/me/.ssh/id_ed25519', true],
      ['/home/me/.aws/credentials', true],
      ['C:\\Users\\me\\.ssh\\config', true],
      ['C:/Users/me/project/.env', true],
      ['\\\\server\\share\\keys\\prod.pem', true],
      ['../other-repo/.env.local', true],
      ['../../x/y/z.secret', true], // slash-free settings glob applies by file name
      ['/tmp/private/notes.md', false], // workspace-relative globs do not
      ['/tmp/notes.txt', false], // .tandemignore belongs to this workspace only
      ['/home/me/project/src/index.ts', false],
      ['..', false],
      ['/', false],
    ];
    for (const [p, excluded] of table) {
      it(`${p} -> ${excluded ? 'excluded' : 'included'}`, () => {
        assert.equal(excluder.isExcludedPath(p).excluded, excluded);
      });
    }
  });
});
