/** Runs `fn` once the browser has rendered its next frame (at most 100 ms later in a hidden tab). */
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
