import { deflateRawSync } from 'node:zlib';

/**
 * Build-time compaction of the counter store's Lua scripts (shared/store/lua-scripts.ts) for the
 * Action bundles, where Auth0 counts every byte of code: the scripts lose their indentation and
 * the spaces around operators and after commas, about 600 bytes. Only whitespace between tokens goes: the scripts
 * hold no string with those sequences in it (tests/bundle/compacted-lua.test.ts checks that the
 * tokens are the same, and the bundles' tests run the compacted scripts on a real Redis). Lines
 * stay as they are, so a Redis error's line number still points at the source's line.
 */

/**
 * One script: indentation, the spaces around `=` and the arithmetic and comparison operators, and
 * after a comma, dropped. Not beside another `-` (`a - -1` must not become the comment `a--1`),
 * not around `..` (`1 .. x` would read as a malformed number), nor around the keywords.
 */
export function compactLua(script: string): string {
  return script
    .replace(/^\t+/gm, '')
    .replace(/(?<!-) (==|~=|<=|>=|[-+*/<>=]) (?!-)/g, '$1')
    .replace(/, /g, ',');
}

/** lua-scripts.ts as the bundle reads it: each template literal (a script) compacted, the TypeScript around them untouched. */
export function compactLuaSource(source: string): string {
  return source.replace(/`[^`]*`/g, (literal) => compactLua(literal));
}

/** A script as the bundle carries it: compacted, then raw-deflated and base64-encoded (what the bundle inflates at load). */
export function packedLua(script: string): string {
  return deflateRawSync(Buffer.from(compactLua(script), 'utf8'), { level: 9 }).toString('base64');
}

/**
 * lua-scripts.ts as the Action bundles read it: each script compacted and packed like the country
 * table (scripts/lib/deflated-table.ts), inflated once when the module loads (about 2 900
 * characters become about 1 500). A script may only interpolate a number literal (`${400}`),
 * which is written into it before packing: anything else would need the module's own values.
 */
export function packedLuaSource(source: string): string {
  const body = source.replace(/`[^`]*`/g, (literal) => {
    const script = literal.slice(1, -1).replace(/\$\{(\d+)\}/g, '$1');
    if (script.includes('${')) throw new Error(`lua-scripts.ts: a script interpolates more than a number literal (${script.slice(script.indexOf('${'), script.indexOf('${') + 30)})`);
    return `/* @__PURE__ */ unpackLua('${packedLua(script)}')`;
  });
  return [
    "import { inflateRawSync } from 'node:zlib';",
    "const unpackLua = (text: string): string => inflateRawSync(Buffer.from(text, 'base64')).toString('utf8');",
    body,
  ].join('\n');
}
