/**
 * Whether a channel is open at an instant. Opening hours list, per weekday (0 = Sunday),
 * "HH:MM-HH:MM" ranges in the channel's IANA timezone; a range whose end is not after its
 * start runs past midnight. `null` means always open.
 */
import type { OpeningHours } from '@flux/protocol';

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * What is wrong with opening hours beyond their schema, or null: weekday keys must be 0–6,
 * times HH:MM with hours ≤ 24 and minutes < 60.
 */
export function openingHoursProblem(
  hours: OpeningHours,
): { field: string; message: string } | null {
  for (const [day, ranges] of Object.entries(hours.days)) {
    if (!/^[0-6]$/.test(day)) {
      return {
        field: `openingHours.days.${day}`,
        message: 'weekdays are 0 (Sunday) to 6 (Saturday)',
      };
    }
    for (const r of ranges) {
      const [a, b] = r.split('-') as [string, string];
      for (const t of [a, b]) {
        const [h, m] = t.split(':').map(Number);
        if (h === undefined || m === undefined || h > 24 || m > 59 || (h === 24 && m > 0)) {
          return { field: `openingHours.days.${day}`, message: `${r} is not a valid time range` };
        }
      }
    }
  }
  return null;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export function isOpen(hours: OpeningHours | null, at: Date): boolean {
  if (hours === null) return true;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: hours.timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(at);
  } catch {
    return false;
  }
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = WEEKDAYS[get('weekday')] ?? 0;
  const now = Number(get('hour')) * 60 + Number(get('minute'));
  const prev = (day + 6) % 7;
  for (const r of hours.days[String(day)] ?? []) {
    const [a, b] = r.split('-') as [string, string];
    const start = minutes(a);
    const end = minutes(b);
    if (end > start ? now >= start && now < end : now >= start) return true;
  }
  // the tail of yesterday's overnight ranges
  for (const r of hours.days[String(prev)] ?? []) {
    const [a, b] = r.split('-') as [string, string];
    if (minutes(b) <= minutes(a) && now < minutes(b)) return true;
  }
  return false;
}
