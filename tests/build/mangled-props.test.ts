/**
 * The property names the Action bundles shorten must stay internal: a name used as a string (a
 * dynamic key) or declared by a shape that crosses the bundle's edge (events, provider answers,
 * log lines, alerts, app_metadata, stored values) would break once shortened.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { MANGLED_PROPS, MANGLED_PROPS_PATTERN } from '../../scripts/lib/mangled-props';

const ROOT = join(__dirname, '..', '..');
/** Sources whose types describe what enters or leaves a bundle. */
const EDGE_SOURCES = /^shared\/(auth0|delivery|captcha|okta|log|alerts|email|register)\/|^shared\/store\/upstash-store\.ts$|^shared\/feedback\/feedback-log\.ts$|^shared\/trust\.ts$/;

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

interface SourceFacts {
  strings: Map<string, string>;
  edgeDeclarations: Map<string, string>;
  declared: Set<string>;
}

function readSources(): SourceFacts {
  const facts: SourceFacts = { strings: new Map(), edgeDeclarations: new Map(), declared: new Set() };
  for (const path of [...sourcesUnder(join(ROOT, 'shared')), ...sourcesUnder(join(ROOT, 'actions'))]) {
    const name = relative(ROOT, path).split('\\').join('/');
    const source = ts.createSourceFile(name, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      // A string in a type (Pick<T, 'name'>) does not exist at run time; one in an expression may be a key.
      const inType = (node.parent as ts.Node | undefined) !== undefined && ts.isLiteralTypeNode(node.parent);
      if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && !inType) facts.strings.set(node.text, name);
      if ((ts.isPropertySignature(node) || ts.isPropertyDeclaration(node) || ts.isMethodSignature(node)) && ts.isIdentifier(node.name)) {
        facts.declared.add(node.name.text);
        if (EDGE_SOURCES.test(name)) facts.edgeDeclarations.set(node.name.text, name);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return facts;
}

describe('the shortened property names', () => {
  const facts = readSources();

  test('none is used as a string in the sources (a dynamic key would miss its shortened property)', () => {
    expect(MANGLED_PROPS.filter((name) => facts.strings.has(name)).map((name) => `${name} in ${facts.strings.get(name)}`)).toEqual([]);
  });

  test('none is declared by a shape that crosses the bundle edge', () => {
    expect(MANGLED_PROPS.filter((name) => facts.edgeDeclarations.has(name)).map((name) => `${name} in ${facts.edgeDeclarations.get(name)}`)).toEqual([]);
  });

  test('each is a property the library declares (no stale entry)', () => {
    expect(MANGLED_PROPS.filter((name) => !facts.declared.has(name))).toEqual([]);
  });

  test('the pattern matches exactly the listed names', () => {
    expect(MANGLED_PROPS.every((name) => MANGLED_PROPS_PATTERN.test(name))).toBe(true);
    expect(MANGLED_PROPS_PATTERN.test('windowMsX')).toBe(false);
    expect(MANGLED_PROPS_PATTERN.test('store_requests')).toBe(false);
    expect(MANGLED_PROPS_PATTERN.test('channel')).toBe(false);
  });
});
