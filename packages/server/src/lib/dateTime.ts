import { FluxError } from '@flux/protocol';

/**
 * The instant an RFC 3339 date-time names, for query parameters that the schemas' `date-time`
 * format has already checked. That format allows a leap second (`23:59:60Z`), which
 * JavaScript's `Date` cannot read (it gives an invalid date); it is read as the first instant
 * of the next minute, where POSIX time puts it. `null` for what is not a time at all.
 */
export function parseDateTime(value: string): Date | null {
  let ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    // YYYY-MM-DDTHH:MM is 16 characters; the seconds follow
    const leap = /^(.{16}):60(\D.*)?$/.exec(value);
    if (leap) ms = Date.parse(`${leap[1] ?? ''}:59${leap[2] ?? ''}`) + 1000;
  }
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** `parseDateTime` of a request's field, or FLX_ERR_VALIDATION naming it. */
export function dateTimeParam(field: string, value: string): Date {
  const date = parseDateTime(value);
  if (date === null) {
    throw new FluxError('FLX_ERR_VALIDATION', `${field} must be an ISO date and time.`, {
      details: [{ field, message: 'is not a date' }],
    });
  }
  return date;
}
