/**
 * CSV product import: a header row naming columns among sku, external_id, name, price
 * (minor units), currency, image_url, page_url; each later row is one product. Good rows
 * are returned for upsert; each bad row is reported with its line number and why.
 */
import type { ProductInput } from '@flux/protocol';
import { CsvError, parseCsv } from '../../lib/csv.ts';

const COLUMNS = [
  'sku',
  'external_id',
  'name',
  'price',
  'currency',
  'image_url',
  'page_url',
] as const;
type Column = (typeof COLUMNS)[number];
const URL_RE = /^(https?:\/\/|\/)/;

export interface ParsedImport {
  rows: { line: number; input: ProductInput }[];
  errors: { row: number; message: string }[];
}

export function parseProductCsv(text: string): ParsedImport {
  const errors: { row: number; message: string }[] = [];
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvError) return { rows: [], errors: [{ row: e.line, message: e.message }] };
    throw e;
  }
  const [header, ...body] = records;
  if (!header) return { rows: [], errors: [{ row: 1, message: 'the CSV has no header row' }] };
  const cols = header.fields.map((f) => f.trim().toLowerCase());
  const unknown = cols.filter((c) => !(COLUMNS as readonly string[]).includes(c));
  const missing = (['name', 'price', 'currency'] as const).filter((c) => !cols.includes(c));
  const dup = cols.filter((c, i) => cols.indexOf(c) !== i);
  const headerProblems = [
    ...unknown.map((c) => `unknown column "${c}" (allowed: ${COLUMNS.join(', ')})`),
    ...missing.map((c) => `missing column "${c}"`),
    ...dup.map((c) => `column "${c}" appears twice`),
  ];
  if (!cols.includes('sku') && !cols.includes('external_id')) {
    headerProblems.push('needs a "sku" or an "external_id" column');
  }
  if (headerProblems.length > 0) {
    return { rows: [], errors: [{ row: header.line, message: headerProblems.join('; ') }] };
  }

  const rows: ParsedImport['rows'] = [];
  const seenSku = new Map<string, number>();
  const seenExt = new Map<string, number>();
  for (const rec of body) {
    const v = (c: Column): string | undefined => {
      const i = cols.indexOf(c);
      if (i < 0) return undefined;
      const raw = rec.fields[i]?.trim() ?? '';
      return raw === '' ? undefined : raw;
    };
    const problems: string[] = [];
    if (rec.fields.length !== cols.length) {
      problems.push(`has ${rec.fields.length} fields, the header has ${cols.length}`);
    }
    const sku = v('sku');
    const externalId = v('external_id');
    const name = v('name');
    const price = v('price');
    const currency = v('currency');
    const imageUrl = v('image_url');
    const pageUrl = v('page_url');
    if (sku === undefined && externalId === undefined)
      problems.push('needs a sku or an external_id');
    if (sku !== undefined && sku.length > 100) problems.push('sku is longer than 100 characters');
    if (externalId !== undefined && externalId.length > 100) {
      problems.push('external_id is longer than 100 characters');
    }
    if (name === undefined) problems.push('name is empty');
    else if (name.length > 200) problems.push('name is longer than 200 characters');
    if (price === undefined || !/^\d{1,9}$/.test(price) || Number(price) > 100_000_000) {
      problems.push('price must be a whole number of minor units (e.g. 4900 for 49.00)');
    }
    if (currency === undefined || !/^[A-Z]{3}$/.test(currency)) {
      problems.push('currency must be a 3-letter ISO code in capitals (e.g. EUR)');
    }
    for (const [label, url] of [
      ['image_url', imageUrl],
      ['page_url', pageUrl],
    ] as const) {
      if (url !== undefined && (!URL_RE.test(url) || url.length > 2048)) {
        problems.push(`${label} must start with http://, https:// or /`);
      }
    }
    if (sku !== undefined && seenSku.has(sku)) {
      problems.push(`sku ${sku} already appears on row ${seenSku.get(sku) ?? '?'}`);
    }
    if (externalId !== undefined && seenExt.has(externalId)) {
      problems.push(
        `external_id ${externalId} already appears on row ${seenExt.get(externalId) ?? '?'}`,
      );
    }
    if (problems.length > 0) {
      errors.push({ row: rec.line, message: problems.join('; ') });
      continue;
    }
    if (sku !== undefined) seenSku.set(sku, rec.line);
    if (externalId !== undefined) seenExt.set(externalId, rec.line);
    const input: ProductInput = {
      name: name ?? '',
      price: Number(price),
      currency: currency ?? '',
      ...(cols.includes('sku') ? { sku: sku ?? null } : {}),
      ...(cols.includes('external_id') ? { externalId: externalId ?? null } : {}),
      ...(cols.includes('image_url') ? { imageUrl: imageUrl ?? null } : {}),
      ...(cols.includes('page_url') ? { pageUrl: pageUrl ?? null } : {}),
    };
    rows.push({ line: rec.line, input });
  }
  return { rows, errors };
}
