/** Runs `fn` at the first of `schedule`'s callback and 100 ms (no frame comes in a hidden tab). */
function onceOrAfter100ms(fn: () => void, schedule: (once: () => void) => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    fn();
  };
  schedule(once);
  setTimeout(once, 100);
}

/**
 * Runs `fn` once the browser has rendered its next frame, or after 100 ms when no frame comes
 * (a hidden tab). The widget and the console use it for what can wait a frame after the accept:
 * that frame paints the call's stage, where the first picture is about to show
 * (docs/performance-log.md).
 */
export function afterNextFrame(fn: () => void): void {
  onceOrAfter100ms(fn, (once) => requestAnimationFrame(() => setTimeout(once, 0)));
}

/**
 * Runs `fn` just before the browser renders its next frame (an animation frame callback), or
 * after 100 ms when no frame comes (a hidden tab). For the call screen at the accept: it is laid
 * out in that frame as if it had been built in the current task, and the current task, which
 * opened the gates, ends first. The still's picture is captured when that task ends, so building
 * the screen in it held the picture back (docs/performance-log.md).
 */
export function inNextFrame(fn: () => void): void {
  onceOrAfter100ms(fn, (once) => requestAnimationFrame(once));
}
