/**
 * E.164 prefixes (`+4470`, `+2519`): parsing and longest-prefix lookup. A full number is also a
 * prefix (of itself), so one list type serves both "block this number" and "block this range".
 */

export function parsePrefix(item: string): string | undefined {
  const text = item.trim().replace(/[ ()\-.]/g, '');
  if (!/^\+[1-9]\d{0,14}$/.test(text)) return undefined;
  return text;
}

/** Finds the longest prefix in the set that the number starts with. */
export function longestMatchingPrefix(prefixes: ReadonlySet<string>, e164: string): string | undefined {
  for (let end = e164.length; end >= 2; end -= 1) {
    const candidate = e164.slice(0, end);
    if (prefixes.has(candidate)) return candidate;
  }
  return undefined;
}
