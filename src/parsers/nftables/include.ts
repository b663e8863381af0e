/**
 * nft `include` wildcards (nft(8): "Include statements support the usual shell wildcard symbols
 * (*,?,[]). Having no matches for an include statement is not an error, if wildcard symbols are
 * used … The wildcard matches are loaded in alphabetical order. Files beginning with dot (.) are
 * not matched"). Pure helpers: the injected include reader does the I/O.
 */

/** Whether an include path is a wildcard pattern. */
export function hasWildcard(path: string): boolean {
  return /[*?[]/.test(path);
}

/**
 * Whether a file name matches one path segment of a pattern (`*`, `?`, `[abc]`, `[a-z]`, `[!a]`), as
 * glob(3) without GLOB_PERIOD: a leading dot is matched only by a dot. Linear backtracking on the last
 * `*` only (no exponential cases).
 */
export function wildcardMatch(name: string, pattern: string): boolean {
  if (name.startsWith('.') && !pattern.startsWith('.')) return false;
  let n = 0;
  let p = 0;
  let starP = -1;
  let starN = 0;
  while (n < name.length) {
    const c = pattern[p];
    if (c === '*') {
      starP = ++p;
      starN = n;
      continue;
    }
    if (c !== undefined) {
      const step = oneChar(pattern, p, name[n]!);
      if (step > 0) {
        p += step;
        n++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP;
    n = ++starN;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** How many pattern characters match `ch` at p (0: no match). */
function oneChar(pattern: string, p: number, ch: string): number {
  const c = pattern[p]!;
  if (c === '?') return 1;
  if (c === '[') {
    let i = p + 1;
    const negate = pattern[i] === '!' || pattern[i] === '^';
    if (negate) i++;
    let hit = false;
    let first = true;
    while (i < pattern.length && (first || pattern[i] !== ']')) {
      first = false;
      const lo = pattern[i]!;
      if (pattern[i + 1] === '-' && i + 2 < pattern.length && pattern[i + 2] !== ']') {
        if (ch >= lo && ch <= pattern[i + 2]!) hit = true;
        i += 3;
      } else {
        if (ch === lo) hit = true;
        i++;
      }
    }
    if (i >= pattern.length) return ch === '[' ? 1 : 0; // no closing bracket: a literal '['
    return hit !== negate ? i + 1 - p : 0;
  }
  if (c === '\\' && p + 1 < pattern.length) return pattern[p + 1] === ch ? 2 : 0;
  return c === ch ? 1 : 0;
}
