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
