/**
 * Prices for people: minor units → "€19.90" in a locale, for the widget's and the console's
 * product lists.
 *
 * One `Intl.NumberFormat` per locale and currency (null: a currency the browser does not know,
 * shown as "19.90 XYZ"). Making one costs a millisecond or more of main thread on a slow
 * machine, and a page's first loads the browser's locale data (45 ms there). Made per price,
 * they held the first pictures of a call back: in the widget at the accept, in the console on
 * its ring card, which re-renders four times a second and once more in the accept's own task
 * (docs/performance-log.md, *the console's price formatters*).
 */
const formats = new Map<string, Intl.NumberFormat | null>();

export function formatMoney(minor: number, currency: string, locale?: string): string {
  const key = `${locale ?? ''}|${currency}`;
  let f = formats.get(key);
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      f = null;
    }
    // a handful in practice; bounded all the same (currencies come from the shop's data)
    if (formats.size >= 64) formats.clear();
    formats.set(key, f);
  }
  return f ? f.format(minor / 100) : `${(minor / 100).toFixed(2)} ${currency}`;
}
