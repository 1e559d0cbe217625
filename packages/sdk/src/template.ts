/**
 * `{{name}}` placeholders. The result is always assigned with `textContent`, never parsed
 * as HTML, so an agent called `<img src=x onerror=alert(1)>` shows up literally.
 */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) =>
    Object.hasOwn(values, key) ? (values[key] ?? '') : whole,
  );
}

/** fillTemplate with the card's one key, `{{name}}` (smaller: it ships in the loader). */
export const fillName = (template: string, name: string): string =>
  template.replace(/\{\{\s*name\s*\}\}/g, () => name);
