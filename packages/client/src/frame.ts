/**
 * Runs `fn` once the browser has rendered its next frame, or after 100 ms when no frame comes
 * (a hidden tab). The widget and the console use it for what can wait a frame after the accept:
 * that frame paints the call's stage, where the first picture is about to show
 * (docs/performance-log.md).
 */
export function afterNextFrame(fn: () => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    fn();
  };
  requestAnimationFrame(() => setTimeout(once, 0));
  setTimeout(once, 100);
}
