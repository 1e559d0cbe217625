/**
 * Turns the `details` of a server validation error into messages per field. The server
 * names the field in each detail (as `field`, `path`, `instancePath` or `property`); a
 * JSON pointer like `/tags/2` maps to its first segment, `tags`.
 */
function fieldName(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw === '') return null;
  const s = raw.replace(/^[#/.]+/, '').replace(/^body[./]/, '');
  const first = s.split(/[/.[\]]/)[0];
  return first ? first : null;
}

function detailMessage(d: Record<string, unknown>): string {
  const m = typeof d.message === 'string' && d.message ? d.message : 'Invalid value';
  return m.charAt(0).toUpperCase() + m.slice(1);
}

export function fieldErrorsFromDetails(details: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (d: unknown): void => {
    if (Array.isArray(d)) {
      for (const x of d) visit(x);
      return;
    }
    if (!d || typeof d !== 'object') return;
    const o = d as Record<string, unknown>;
    if (Array.isArray(o.errors)) {
      visit(o.errors);
      return;
    }
    if (Array.isArray(o.fields)) {
      visit(o.fields);
      return;
    }
    let name =
      fieldName(o.field) ?? fieldName(o.path) ?? fieldName(o.instancePath) ?? fieldName(o.property);
    // "must have required property 'x'" style details name the field in params.
    if (!name && o.params && typeof o.params === 'object') {
      const p = o.params as Record<string, unknown>;
      name = fieldName(p.missingProperty) ?? fieldName(p.requiredProperties) ?? null;
    }
    if (name && !(name in out)) out[name] = detailMessage(o);
    if (!name && o.fields && typeof o.fields === 'object') {
      for (const [k, v] of Object.entries(o.fields as Record<string, unknown>)) {
        if (typeof v === 'string' && !(k in out)) out[k] = v;
      }
    }
  };
  visit(details);
  return out;
}
