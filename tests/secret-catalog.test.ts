/**
 * The documented secrets and the secrets the code reads are the same set, and the README's
 * table lists every one of them with its default.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_CATALOG } from '../scripts/lib/secret-catalog';

const ROOT = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function secretsReadByCode(): Set<string> {
  const names = new Set<string>();
  for (const file of [...sources(join(ROOT, 'shared')), ...sources(join(ROOT, 'actions'))]) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/secrets\['([A-Z0-9_]+)'\]/g)) names.add(match[1] ?? '');
    for (const match of text.matchAll(/\b(?:parse\w+|limit|duration|countries|names|required|optional|allowList)\(\s*'((?:GUARD|TWILIO|UPSTASH|ALERT)_[A-Z0-9_]+)'/g)) names.add(match[1] ?? '');
  }
  return names;
}

test('every secret the code reads is documented, and nothing documented is unused', () => {
  const read = secretsReadByCode();
  const documented = new Set(SECRET_CATALOG.map((secret) => secret.name));
  expect([...read].filter((name) => !documented.has(name)).sort()).toEqual([]);
  expect([...documented].filter((name) => !read.has(name)).sort()).toEqual([]);
});

test('the README table lists every secret with its default', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const secret of SECRET_CATALOG) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${secret.name}\` |`));
    expect(row).toBeDefined();
    expect(row).toContain(secret.default.replace(/\|/g, '\\|'));
  }
});

test('examples in the catalog are placeholders, never credentials', () => {
  for (const secret of SECRET_CATALOG) {
    expect(secret.example).not.toMatch(/^AC[0-9a-f]{32}$|^SK[0-9a-f]{32}$|^[A-Za-z0-9]{40,}$/);
  }
});
