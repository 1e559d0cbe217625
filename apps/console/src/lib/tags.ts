/** Turns what an agent types into a valid tag ("Fashion Support" → "fashion-support"). */
export function normalizeTag(input: string): string {
  return input
    .trim()
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\s.]+/g, '-')
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[-_]+/, '')
    .slice(0, 40);
}

/** Adds the tags found in `input` (comma or Enter separated) to `tags`, without duplicates. */
export function addTags(tags: readonly string[], input: string, max = 20): string[] {
  const out = [...tags];
  for (const piece of input.split(',')) {
    const t = normalizeTag(piece);
    if (t && !out.includes(t) && out.length < max) out.push(t);
  }
  return out;
}
