import { describe, expect, it } from 'vitest';
import { isOpen, isValidTimezone, openingHoursProblem } from './openingHours.ts';

describe('opening hours', () => {
  const berlin = {
    timezone: 'Europe/Berlin',
    days: { '1': ['09:00-12:00', '13:00-17:00'], '5': ['22:00-02:00'] },
  };

  it('is always open without hours', () => {
    expect(isOpen(null, new Date())).toBe(true);
  });

  it('checks ranges in the channel timezone', () => {
    // Monday 2026-01-05, Berlin is UTC+1
    expect(isOpen(berlin, new Date('2026-01-05T08:30:00Z'))).toBe(true); // 09:30
    expect(isOpen(berlin, new Date('2026-01-05T07:59:00Z'))).toBe(false); // 08:59
    expect(isOpen(berlin, new Date('2026-01-05T11:30:00Z'))).toBe(false); // 12:30
    expect(isOpen(berlin, new Date('2026-01-05T16:00:00Z'))).toBe(false); // 17:00 (end is exclusive)
    expect(isOpen(berlin, new Date('2026-01-06T08:30:00Z'))).toBe(false); // Tuesday
  });

  it('runs ranges past midnight into the next day', () => {
    expect(isOpen(berlin, new Date('2026-01-09T22:30:00Z'))).toBe(true); // Fri 23:30
    expect(isOpen(berlin, new Date('2026-01-10T00:30:00Z'))).toBe(true); // Sat 01:30
    expect(isOpen(berlin, new Date('2026-01-10T01:30:00Z'))).toBe(false); // Sat 02:30
  });

  it('validates timezones and ranges', () => {
    expect(isValidTimezone('America/New_York')).toBe(true);
    expect(isValidTimezone('Nowhere/Town')).toBe(false);
    expect(openingHoursProblem(berlin)).toBeNull();
    expect(openingHoursProblem({ timezone: 'UTC', days: { '1': ['08:00-24:00'] } })).toBeNull();
    expect(openingHoursProblem({ timezone: 'UTC', days: { '1': ['08:00-24:30'] } })?.field).toBe(
      'openingHours.days.1',
    );
    expect(openingHoursProblem({ timezone: 'UTC', days: { '1': ['08:60-09:00'] } })).not.toBeNull();
    expect(openingHoursProblem({ timezone: 'UTC', days: { '8': [] } })?.field).toBe(
      'openingHours.days.8',
    );
  });
});
