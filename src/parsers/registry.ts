/**
 * Every format fwlint reads, and how a file is matched to one. Detection looks at
 * the file name and the start of the text only; the most confident format wins.
 */
import type { FormatDefinition } from './types.js';

const formats: FormatDefinition[] = [];

/** Formats register here from src/parsers/formats.ts (one list, one place). */
export function registerFormats(list: readonly FormatDefinition[]): void {
  for (const f of list) if (!formats.some((g) => g.id === f.id)) formats.push(f);
}

export function allFormats(): readonly FormatDefinition[] {
  return formats;
}

export function formatById(id: string): FormatDefinition | undefined {
  return formats.find((f) => f.id === id);
}

function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}

/** How much of a text (UTF-16 code units) format detection reads. */
export const DETECT_HEAD = 65536;

/** The top of the detection scale (FormatDefinition.detect): no format can score more. */
const TOP_SCORE = 100;

/**
 * The best format for a file, optionally limited to one ESLint language; the earlier format of the list wins a tie.
 * Returns undefined when no format recognises it. Stops at the first format that scores the top of the scale: no
 * later one could win, and their parser modules need not be loaded (see formats.ts).
 */
export function detectFormat(filePath: string, text: string, language?: FormatDefinition['language']): FormatDefinition | undefined {
  const name = baseName(filePath);
  const head = text.length > DETECT_HEAD ? text.slice(0, DETECT_HEAD) : text;
  let best: FormatDefinition | undefined;
  let bestScore = 0;
  for (const f of formats) {
    if (language && f.language !== language) continue;
    let score = 0;
    try {
      score = f.detect(name, head);
    } catch {
      score = 0;
    }
    if (score > bestScore) {
      best = f;
      bestScore = score;
      if (score >= TOP_SCORE) break;
    }
  }
  return best;
}
