import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { afterNextFrame, inNextFrame } from './frame.ts';

describe('afterNextFrame', () => {
  let frames: FrameRequestCallback[];
  beforeEach(() => {
    vi.useFakeTimers();
    frames = [];
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('runs once, in a task after the next frame, and not again at the fallback', () => {
    const fn = vi.fn();
    afterNextFrame(fn);
    vi.advanceTimersByTime(50);
    expect(fn).not.toHaveBeenCalled();
    frames.forEach((cb) => cb(0));
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(200);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('runs after 100 ms when no frame comes (a hidden tab), and once only', () => {
    const fn = vi.fn();
    afterNextFrame(fn);
    vi.advanceTimersByTime(99);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    frames.forEach((cb) => cb(0));
    vi.advanceTimersByTime(10);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('does not run a second time when the function throws', () => {
    const fn = vi.fn(() => {
      throw new Error('boom');
    });
    afterNextFrame(fn);
    expect(() => vi.advanceTimersByTime(100)).toThrow('boom');
    frames.forEach((cb) => cb(0));
    vi.advanceTimersByTime(10);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('inNextFrame runs in the frame callback itself, once, and after 100 ms without a frame', () => {
    const inFrame = vi.fn();
    inNextFrame(inFrame);
    vi.advanceTimersByTime(50);
    expect(inFrame).not.toHaveBeenCalled();
    frames.forEach((cb) => cb(0));
    expect(inFrame).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(100);
    expect(inFrame).toHaveBeenCalledTimes(1);

    frames = [];
    const hidden = vi.fn();
    inNextFrame(hidden);
    vi.advanceTimersByTime(100);
    expect(hidden).toHaveBeenCalledTimes(1);
    frames.forEach((cb) => cb(0));
    expect(hidden).toHaveBeenCalledTimes(1);
  });
});
