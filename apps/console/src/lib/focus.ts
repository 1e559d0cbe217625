/**
 * Where the keyboard focus goes as the call's screens come and go. A screen that replaces
 * another removes the control that had the focus (Accept, Hang up, Done), and the focus falls
 * to the page's body: a keyboard or screen reader user would have to find the call again from
 * the top of the page. These helpers give the focus to the new screen's first control, only
 * when it fell: focus the agent put elsewhere (a field being typed in, the sidebar) stays.
 */

/** True when nothing has the focus (its element was removed, or the page was clicked). */
export function focusFell(): boolean {
  const a = document.activeElement;
  return a === null || a === document.body;
}

/** A control that takes typed text: a key pressed there is the agent's, not a shortcut. */
export function isTyping(el: Element | null): boolean {
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  if (el instanceof HTMLInputElement) {
    return !['button', 'submit', 'reset', 'checkbox', 'radio', 'range', 'color', 'file'].includes(
      el.type,
    );
  }
  return el instanceof HTMLElement && el.isContentEditable;
}

/** Focuses `el` if it can still take it (in the page, enabled); says whether it did. */
export function focusIfThere(el: Element | null | undefined): boolean {
  if (!(el instanceof HTMLElement) || !el.isConnected || el === document.body) return false;
  el.focus();
  return document.activeElement === el;
}

/**
 * If the focus fell: gives it to `el`, or, when that cannot take it (gone, disabled), to the
 * page's main region (where the skip link leads).
 */
export function refocus(el: Element | null | undefined): void {
  if (focusFell() && !focusIfThere(el)) focusIfThere(document.getElementById('main'));
}
