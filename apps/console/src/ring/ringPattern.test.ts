import { describe, expect, it } from 'vitest';
import { notesBetween, RING_CYCLE_SECONDS, RingScheduler } from './ringPattern.ts';

describe('ringtone scheduler', () => {
  it('notesBetween() returns the notes whose start lies in the window, in order', () => {
    const first = notesBetween(10, 10, 10 + RING_CYCLE_SECONDS);
    expect(first).toHaveLength(6);
    expect(first[0]?.start).toBe(10);
    const starts = first.map((n) => n.start);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(notesBetween(10, 12, 12)).toEqual([]);
  });

  it('hands out every note exactly once across ticks, even when ticks are late', () => {
    const s = new RingScheduler(6);
    const seen = [...s.start(100, 30)];
    // a background tab: ticks arrive 1 s, then 4 s, then 3 s apart
    for (const t of [101, 105, 108, 111, 118, 125, 131]) seen.push(...s.take(t));
    const starts = seen.map((n) => n.start);
    expect(new Set(starts).size).toBe(starts.length);
    const expected = notesBetween(100.05, 100.05, 130.05);
    expect(starts).toEqual(expected.map((n) => n.start));
  });

  it('schedules ahead of the clock so a 5 s timer gap leaves no silence', () => {
    const s = new RingScheduler(6);
    s.start(0, 60);
    s.take(5);
    // at t = 5 notes are already scheduled until 11, beyond the next tick at 10
    const next = s.take(10);
    expect(next.every((n) => n.start >= 11)).toBe(true);
  });

  it('stops at the maximum length and after stop()', () => {
    const s = new RingScheduler(6);
    s.start(0, 3);
    expect(s.take(10)).toEqual([]);
    expect(s.expired(3.1)).toBe(true);
    s.stop();
    expect(s.state).toBe('idle');
    expect(s.take(20)).toEqual([]);
    expect(s.expired(100)).toBe(false);
  });
});
