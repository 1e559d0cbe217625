/**
 * The ringtone as data: a repeating cycle of short notes, and a scheduler that hands out the
 * notes of a time window. Audio is scheduled ahead on the AudioContext clock, in windows of
 * several seconds, so a throttled timer in a background tab (≥ 1 s) never leaves a gap.
 *
 *   idle ──start()──▶ ringing ──stop()──▶ idle
 *                        │ (each tick) take(now) → notes in [scheduledUntil, now + horizon)
 */

export interface Note {
  /** Seconds on the audio clock. */
  start: number;
  duration: number;
  /** Hz */
  frequency: number;
}

/** One cycle: a bright three-note arpeggio played twice, then a pause. */
export const RING_CYCLE_SECONDS = 2.6;
const CYCLE: readonly { at: number; frequency: number; duration: number }[] = [
  { at: 0, frequency: 659.25, duration: 0.16 },
  { at: 0.14, frequency: 830.61, duration: 0.16 },
  { at: 0.28, frequency: 987.77, duration: 0.22 },
  { at: 0.62, frequency: 659.25, duration: 0.16 },
  { at: 0.76, frequency: 830.61, duration: 0.16 },
  { at: 0.9, frequency: 987.77, duration: 0.3 },
];

/** Notes of a ring that began at `origin`, whose start lies in [from, to). */
export function notesBetween(origin: number, from: number, to: number): Note[] {
  const out: Note[] = [];
  if (to <= from) return out;
  const firstCycle = Math.max(0, Math.floor((from - origin) / RING_CYCLE_SECONDS));
  for (let c = firstCycle; origin + c * RING_CYCLE_SECONDS < to; c++) {
    const base = origin + c * RING_CYCLE_SECONDS;
    for (const n of CYCLE) {
      const start = base + n.at;
      if (start >= from && start < to)
        out.push({ start, duration: n.duration, frequency: n.frequency });
    }
  }
  return out;
}

export type RingState = 'idle' | 'ringing';

export class RingScheduler {
  private state_: RingState = 'idle';
  private origin = 0;
  private until = 0;
  private end = Infinity;

  constructor(
    /** How far ahead to schedule, in seconds. */
    readonly horizon = 6,
  ) {}

  get state(): RingState {
    return this.state_;
  }

  /** Starts ringing at `now` for at most `maxSeconds`; returns the first window's notes. */
  start(now: number, maxSeconds = Infinity): Note[] {
    this.state_ = 'ringing';
    this.origin = now + 0.05;
    this.until = this.origin;
    this.end = this.origin + maxSeconds;
    return this.take(now);
  }

  /** Notes not yet handed out whose start is before `now + horizon` (and before the end). */
  take(now: number): Note[] {
    if (this.state_ !== 'ringing') return [];
    const to = Math.min(now + this.horizon, this.end);
    if (to <= this.until) return [];
    const notes = notesBetween(this.origin, this.until, to);
    this.until = to;
    return notes;
  }

  /** True once the ring ran past its maximum length. */
  expired(now: number): boolean {
    return this.state_ === 'ringing' && now >= this.end;
  }

  stop(): void {
    this.state_ = 'idle';
  }
}
