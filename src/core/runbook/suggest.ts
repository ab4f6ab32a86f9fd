/**
 * "Did you mean …?" for names typed in runbooks and commands: the known name closest to what was
 * written. Closeness is the number of edits (insertions, deletions, substitutions, swaps of two
 * neighbouring letters), and for names made of parts ("k8s.rollout-restart") also part by part,
 * so that "k8s.restrat" finds "k8s.rollout-restart" although many letters are missing.
 */

/** Longer words are not compared (nobody mistypes a name of that length; it keeps this cheap). */
const LONGEST = 100;

/** Edits between a and b, a swap of two neighbouring characters counting as one (Damerau). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (before[j - 2] ?? 0) + 1);
      current[j] = best;
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** How many edits a word of this length may be away and still be taken for a typo. */
const allowance = (length: number): number => Math.max(1, Math.floor(length / 3));

const partsOf = (name: string): string[] => name.split(/[.\-_\s/]+/).filter(Boolean);

/**
 * How far `word` is from `candidate` (lower is closer), or undefined when it is too far to be a
 * typo of it. Either the whole names are within the allowance, or every part of the word is
 * within the allowance of some part of the candidate (missing parts cost a little).
 */
function closeness(word: string, candidate: string): number | undefined {
  const whole = editDistance(word, candidate);
  let best = whole <= allowance(Math.max(word.length, candidate.length)) ? whole : undefined;
  const wordParts = partsOf(word);
  const candidateParts = partsOf(candidate);
  if (wordParts.length > 1 || candidateParts.length > 1) {
    let total = 0;
    for (const part of wordParts) {
      const nearest = Math.min(...candidateParts.map((c) => editDistance(part, c)));
      if (nearest > allowance(part.length)) return best;
      total += nearest;
    }
    // A part the word does not have makes the match weaker, not impossible.
    const byParts = total + 0.5 * Math.max(0, candidateParts.length - wordParts.length);
    if (wordParts.length && (best === undefined || byParts < best)) best = byParts;
  }
  return best;
}

/** The known name closest to `word`, or undefined when none is close enough to be what was meant. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const typed = word.trim().toLowerCase();
  if (!typed || typed.length > LONGEST) return undefined;
  let found: { name: string; score: number; whole: number } | undefined;
  for (const name of candidates) {
    const known = name.toLowerCase();
    if (known === typed) return name;
    if (known.length > LONGEST) continue;
    const score = closeness(typed, known);
    if (score === undefined) continue;
    const whole = editDistance(typed, known);
    if (!found || score < found.score || (score === found.score && whole < found.whole)) found = { name, score, whole };
  }
  return found?.name;
}

/** ` (did you mean "x"?)` when a known name is close to `word`, else the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const guess = closest(word, candidates);
  return guess === undefined ? '' : ` (did you mean "${guess}"?)`;
}
