/**
 * The Action bundles carry the counter store's Lua scripts compacted (scripts/lib/lua-compact.ts):
 * the same Lua tokens with less whitespace. The Redis-backed bundle suites run them on a real Redis;
 * this file checks that the compaction changes nothing else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIONS, DIST, buildActions } from '../../scripts/build';
import { inflateRawSync } from 'node:zlib';
import { compactLua, compactLuaSource, packedLua, packedLuaSource } from '../../scripts/lib/lua-compact';
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

  test('a packed script inflates to the compacted one; a number interpolated in the source is written into it, anything else refused', () => {
    for (const script of [BATCH_SCRIPT, RAISE_UNTIL_SCRIPT]) {
      expect(inflateRawSync(Buffer.from(packedLua(script), 'base64')).toString('utf8')).toBe(compactLua(script));
      expect(packedLua(script).length).toBeLessThan(compactLua(script).length);
    }
    const source = "export const A = `\n\tif idle > ${400} then\n`;\n";
    const packed = packedLuaSource(source).match(/unpackLua\('([A-Za-z0-9+/=]+)'\)/)?.[1] ?? '';
    expect(inflateRawSync(Buffer.from(packed, 'base64')).toString('utf8')).toBe('\nif idle>400 then\n');
    expect(() => packedLuaSource('export const A = `\n\tif idle > ${LIMIT} then\n`;\n')).toThrow(/more than a number literal/);
  });

  test('every Action bundle (each talks to the store) carries the packed compacted scripts, not their text', async () => {
    await buildActions({ quiet: true });
    for (const action of ACTIONS) {
      const code = readFileSync(join(DIST, `${action}.js`), 'utf8');
      expect({ action, batch: code.includes(packedLua(BATCH_SCRIPT)), raise: code.includes(packedLua(RAISE_UNTIL_SCRIPT)) }).toEqual({ action, batch: true, raise: true });
      expect(code.includes(compactLua(BATCH_SCRIPT))).toBe(false);
      expect(code.includes(BATCH_SCRIPT)).toBe(false);
    }
  });
});
