/**
 * Every relative link in README.md and docs/*.md points at a file that exists, and a link to a
 * heading (`file.md#anchor`, `#anchor`) at a heading that exists, with GitHub's anchor rules. The
 * README links every page of docs/.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..');
const DOCS = join(ROOT, 'docs');

/** The text with fenced code blocks and inline code removed (links and headings there are not real). */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const match of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(match[1] ?? '');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

function linksOf(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1] ?? '');
}

/** The problems of one document's links; `read` gives the text of another document. */
function brokenLinks(file: string, markdown: string, read: (path: string) => string | undefined): string[] {
  const problems: string[] = [];
  const shown = relative(ROOT, file);
  for (const link of linksOf(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto:...
    const [pathPart = '', anchor] = link.split('#', 2);
    const target = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
    if (pathPart !== '' && !existsSync(target)) {
      problems.push(`${shown}: ${link} -> ${relative(ROOT, target)} does not exist`);
      continue;
    }
    if (anchor !== undefined && anchor !== '' && target.endsWith('.md')) {
      const text = target === file ? markdown : read(target);
      if (text !== undefined && !anchorsOf(text).has(anchor.toLowerCase())) problems.push(`${shown}: ${link}: no heading #${anchor} in ${relative(ROOT, target)}`);
    }
  }
  return problems;
}

const readText = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);
const docPages = () => readdirSync(DOCS).filter((name) => name.endsWith('.md')).sort();

describe('documentation links', () => {
  test('the anchor rules and the link reader behave as GitHub does', () => {
    expect(slug('7. Secrets: what the deploy sets, what admins may change in the dashboard')).toBe('7-secrets-what-the-deploy-sets-what-admins-may-change-in-the-dashboard');
    expect(slug('CI: `.ci/run`')).toBe('ci-cirun');
    expect(slug('Twilio SDK or lean client')).toBe('twilio-sdk-or-lean-client');
    expect([...anchorsOf('# A\n## Same\n```sh\n# not a heading\n```\n## Same\n')]).toEqual(['a', 'same', 'same-1']);
    expect(linksOf('See [one](a.md), `[not](b.md)`, [two](<c.md>) and\n[wrapped\ntext](e.md#x "title").\n```\n[fenced](f.md)\n```')).toEqual(['a.md', 'c.md', 'e.md#x']);
  });

  test('a missing file and a missing heading are reported', () => {
    const file = join(DOCS, 'example.md');
    const text = '# Here\n[ok](#here) [gone](no-such-page.md) [bad anchor](#nowhere) [web](https://example.com/x.md)\n';
    expect(brokenLinks(file, text, readText)).toEqual(['docs/example.md: no-such-page.md -> docs/no-such-page.md does not exist', 'docs/example.md: #nowhere: no heading #nowhere in docs/example.md']);
  });

  test('every relative link in README.md and docs/*.md points at a file and heading that exist', () => {
    const files = [join(ROOT, 'README.md'), ...docPages().map((name) => join(DOCS, name))];
    const problems = files.flatMap((file) => brokenLinks(file, readFileSync(file, 'utf8'), readText));
    expect(problems).toEqual([]);
  });

  test('the README links every page of docs/', () => {
    const linked = new Set(linksOf(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((link) => link.split('#')[0]));
    expect(docPages().filter((name) => !linked.has(`docs/${name}`))).toEqual([]);
  });

  test('the README links the three pages other engineers write', () => {
    const links = linksOf(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    for (const page of ['docs/monitor.md', 'docs/deploy.md', 'docs/okta-hook.md']) expect(links).toContain(page);
  });
});
