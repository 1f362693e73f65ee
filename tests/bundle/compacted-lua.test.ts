/**
 * The Action bundles carry the counter store's Lua scripts compacted (scripts/lib/lua-compact.ts):
 * the same Lua tokens with less whitespace. The Redis-backed bundle suites run them on a real Redis;
 * this file checks that the compaction changes nothing else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIONS, DIST, buildActions } from '../../scripts/build';
import { compactLua, compactLuaSource } from '../../scripts/lib/lua-compact';
import { BATCH_SCRIPT, RAISE_UNTIL_SCRIPT } from '../../shared/store/lua-scripts';

/** Lua's tokens: strings, comments (to the end of the line), numbers, names and keywords, then operators (the longest first). */
function luaTokens(script: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s+|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|--[^\n]*|\d+(?:\.\d+)?|[A-Za-z_]\w*|==|~=|<=|>=|\.\.|[-+*/%^#<>=(){}[\];:,.]/y;
  let index = 0;
  while (index < script.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(script);
    if (match === null) throw new Error(`no Lua token at ${index}: ${JSON.stringify(script.slice(index, index + 20))}`);
    if (!/^\s/.test(match[0])) tokens.push(match[0]);
    index = pattern.lastIndex;
  }
  return tokens;
}

describe('compacted Lua scripts', () => {
  const scripts = { BATCH_SCRIPT, RAISE_UNTIL_SCRIPT };

  test.each(Object.entries(scripts))('%s: the same tokens on the same lines, shorter', (_name, script) => {
    const compacted = compactLua(script);
    expect(luaTokens(compacted)).toEqual(luaTokens(script));
    expect(compacted.split('\n').map((line) => luaTokens(line))).toEqual(script.split('\n').map((line) => luaTokens(line)));
    expect(compacted.length).toBeLessThan(script.length);
    // Every string literal is as it was.
    expect(compacted.match(/'[^']*'/g)).toEqual(script.match(/'[^']*'/g));
  });

  test('a concatenation and negative numbers keep their spaces where removing them would change the tokens', () => {
    expect(compactLua("\tlocal x = a - -1\n\treturn 'op ' .. tostring(x), 1 .. y")).toBe("local x=a - -1\nreturn 'op ' .. tostring(x),1 .. y");
    for (const line of ['local x = a - -1', 'local y = a - - b', 'local z = 2 * -x']) expect(luaTokens(compactLua(line))).toEqual(luaTokens(line));
    // What the guard against `--` prevents: the tokens would no longer be the same.
    expect(luaTokens('local x=a--1')).not.toEqual(luaTokens('local x = a - -1'));
  });

  test('only the template literals of the source are compacted', () => {
    const source = "export const A = `\n\tlocal a = 1, 2\n`;\nconst b = f(x, y);\n";
    expect(compactLuaSource(source)).toBe("export const A = `\nlocal a=1,2\n`;\nconst b = f(x, y);\n");
  });

  test('every Action bundle that talks to the store carries the compacted scripts, none the indented ones', async () => {
    await buildActions({ quiet: true });
    for (const action of ACTIONS) {
      const code = readFileSync(join(DIST, `${action}.js`), 'utf8');
      if (!code.includes('HMGET')) continue;
      expect({ action, batch: code.includes(compactLua(BATCH_SCRIPT)), raise: code.includes(compactLua(RAISE_UNTIL_SCRIPT)) }).toEqual({ action, batch: true, raise: true });
      expect(code.includes(BATCH_SCRIPT)).toBe(false);
    }
  });
});
