/**
 * The documented secrets and the secrets the code reads are the same set, and the table in
 * docs/secrets.md lists every one of them with its default and where tenant/tenant.yaml deploys
 * it: it is exactly what scripts/secrets-table.ts generates from the catalogue and that file.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_CATALOG, type SecretDoc } from '../scripts/lib/secret-catalog';
import { SECRETS_DOC, blockIn, deployColumn, deployedActions, generatedBlock, secretsTable, withBlock } from '../scripts/secrets-table';

const ROOT = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Secret names as the code reads them: `secrets['NAME']`, a parser or reader call, or a named `..._SECRET` constant (not a SecretDoc's `name:`). */
function secretsReadBy(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/secrets\['([A-Z0-9_]+)'\]/g)) names.add(match[1] ?? '');
  // A parser or reader call with the name among its plain arguments: parseEnum('GUARD_MODE', ...), readWindowLimit(secrets, errors, 'GUARD_LIMIT_IP').
  for (const match of text.matchAll(/\b(?:parse\w+|read\w+|limit|duration|countries|names|required|optional|allowList)\([^()']*'((?:GUARD|TWILIO|UPSTASH|ALERT|CAPTCHA)_[A-Z0-9_]+)'/g)) names.add(match[1] ?? '');
  for (const match of text.matchAll(/\b[A-Z][A-Z0-9_]*_SECRET\s*=\s*'([A-Z][A-Z0-9_]+)'/g)) names.add(match[1] ?? '');
  return names;
}

function secretsReadByCode(): Set<string> {
  const names = new Set<string>();
  for (const file of [...sources(join(ROOT, 'shared')), ...sources(join(ROOT, 'actions'))]) {
    for (const name of secretsReadBy(readFileSync(file, 'utf8'))) names.add(name);
  }
  return names;
}

test('the scan sees a secret read through a named constant', () => {
  expect([...secretsReadBy("export const SILENT_REFUSAL_SECRET = 'GUARD_SILENT_REFUSAL';\nparseBoolean(SILENT_REFUSAL_SECRET, secrets[SILENT_REFUSAL_SECRET], false)")]).toEqual(['GUARD_SILENT_REFUSAL']);
  expect([...secretsReadBy("const limit = secrets['GUARD_LIMIT_IP']; const x = 'GUARD_FAILED';")]).toEqual(['GUARD_LIMIT_IP']);
  expect([...secretsReadBy("ip: readWindowLimit(secrets, errors, 'GUARD_LIMIT_IP'), answer: errorAnswer(500, 'failed', 'GUARD_FAILED')")]).toEqual(['GUARD_LIMIT_IP']);
  expect([...secretsReadBy("{ name: 'GUARD_LIMIT_SUBNET', actions: 'send', default: '200/1h' }")]).toEqual([]);
});

test('every secret the code reads is documented, and nothing documented is unused', () => {
  const read = secretsReadByCode();
  expect(read.has('GUARD_SILENT_REFUSAL')).toBe(true);
  const documented = new Set(SECRET_CATALOG.map((secret) => secret.name));
  expect([...read].filter((name) => !documented.has(name)).sort()).toEqual([]);
  expect([...documented].filter((name) => !read.has(name)).sort()).toEqual([]);
});

test('the docs/secrets.md table lists every secret with its default', () => {
  const doc = readFileSync(SECRETS_DOC, 'utf8');
  for (const secret of SECRET_CATALOG) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${secret.name}\` |`));
    expect({ name: secret.name, row: row !== undefined }).toEqual({ name: secret.name, row: true });
    expect(row).toContain(secret.default.replace(/\|/g, '\\|'));
  }
});

test('the docs/secrets.md table is what scripts/secrets-table.ts generates from the catalogue and tenant/tenant.yaml', () => {
  const current = blockIn(readFileSync(SECRETS_DOC, 'utf8'));
  expect(current).toBeDefined();
  // On failure: npx tsx scripts/secrets-table.ts --write
  expect(current).toBe(generatedBlock());
});

test('the deploy column names the Actions tenant/tenant.yaml declares a secret for, and only those', () => {
  const actions = deployedActions();
  expect(actions.map((action) => action.label).sort()).toEqual(['post-login', 'provider', 'send', 'sign-up']);
  const byLabel = new Map(actions.map((action) => [action.label, new Set(action.secrets)]));
  for (const secret of SECRET_CATALOG) {
    if (secret.actions === 'okta') continue;
    const expected = actions.filter((action) => byLabel.get(action.label)?.has(secret.name)).map((action) => action.label);
    expect({ name: secret.name, column: deployColumn(secret, actions) }).toEqual({ name: secret.name, column: expected.length > 0 ? expected.join(', ') : '**no**: swap it in' });
  }
  // Credentials the Actions cannot run without are always deployed.
  expect(deployColumn(SECRET_CATALOG.find((secret) => secret.name === 'TWILIO_ACCOUNT_SID')!, actions)).toBe('send, provider');
  expect(deployColumn(SECRET_CATALOG.find((secret) => secret.name === 'UPSTASH_REDIS_REST_URL')!, actions)).toBe('send, provider, sign-up, post-login');
});

test('the generator marks an undeclared secret, counts what is declared, and escapes table pipes', () => {
  const catalog: SecretDoc[] = [
    { name: 'GUARD_A', actions: 'send', group: 'velocity', meaning: 'a | b', default: 'x|y', example: '1' },
    { name: 'GUARD_B', actions: 'both', group: 'mode', meaning: 'b', default: 'on', example: 'off' },
    { name: 'OKTA_X', actions: 'okta', group: 'credentials', meaning: 'c', default: 'required', example: '(value)' },
  ];
  const table = secretsTable(catalog, [{ label: 'send', secrets: ['GUARD_B'] }, { label: 'sign-up', secrets: ['GUARD_B'] }]);
  const rows = table.split('\n');
  expect(rows).toContain('| `GUARD_A` | phone | **no**: swap it in | velocity | a \\| b | x\\|y | 1 |');
  expect(rows).toContain('| `GUARD_B` | phone, sign-up | send, sign-up | mode | b | on | off |');
  expect(rows).toContain('| `OKTA_X` | Okta hook | not an Action secret (hook environment) | credentials | c | required | (value) |');
  expect(table).toContain('declares 1 on send, 1 on sign-up (at most 30 each). 1 of the 2 documented Action secrets are declared for no Action: `GUARD_A`.');
});

test('--write replaces only the generated block', () => {
  const doc = 'before\n<!-- secrets-table:start (generated by `npx tsx scripts/secrets-table.ts --write` from scripts/lib/secret-catalog.ts and tenant/tenant.yaml; do not edit by hand) -->\nold $& table\n<!-- secrets-table:end -->\nafter\n';
  const block = generatedBlock([], []);
  const written = withBlock(doc, block);
  expect(written.startsWith('before\n')).toBe(true);
  expect(written.endsWith('\nafter\n')).toBe(true);
  expect(blockIn(written)).toBe(block);
  expect(() => withBlock('no markers here', block)).toThrow(/markers/);
});

test('examples in the catalog are placeholders, never credentials', () => {
  for (const secret of SECRET_CATALOG) {
    expect(secret.example).not.toMatch(/^AC[0-9a-f]{32}$|^SK[0-9a-f]{32}$|^[A-Za-z0-9]{40,}$/);
  }
});
