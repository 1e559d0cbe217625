/**
 * The widget card's stylesheet, applied as a constructable stylesheet (`adoptedStyleSheets`),
 * which a strict CSP (`style-src` without 'unsafe-inline') allows; browsers without it get a
 * <style> element. Theme it with the --flux-* custom properties (docs/integration.md ›
 * Theming); they inherit through the shadow boundary. Kept terse: it ships on every page.
 * The card sets `hidden` on its host while it has nothing to show (loading, hidden, error).
 */
export const CARD_CSS =
  ':host{all:initial;display:block;contain:content}' +
  ':host([hidden]){display:none}' +
  'div,button{display:flex;align-items:center;gap:12px}' +
  'div{flex-wrap:wrap;padding:16px;font:15px/1.4 var(--flux-font,system-ui,sans-serif);color:var(--flux-text,#1d2433);background:var(--flux-bg,#fff);border:1px solid var(--flux-border,#dfe3ea);border-radius:var(--flux-radius,14px)}' +
  'img{width:56px;height:56px;border-radius:50%;object-fit:cover;background:#eef1f6;outline:3px solid #1f9d55;outline-offset:-3px}' +
  'div>span{flex:1 1 60%}' +
  'p{margin:2px 0 0;color:var(--flux-muted,#5b6475);overflow-wrap:anywhere}' +
  'button{flex:1 0 auto;justify-content:center;gap:8px;min-height:44px;padding:10px 18px;border:0;border-radius:99px;font:inherit;font-weight:600;cursor:pointer;color:var(--flux-accent-text,#fff);background:var(--flux-accent,#0b63ce)}' +
  'button:hover{filter:brightness(1.1)}' +
  'button:focus-visible{outline:3px solid #ffb020;outline-offset:2px}' +
  'button:disabled{opacity:.7}' +
  // The video camera icon: body and lens, one clip-path (no SVG in the DOM).
  'button:before{content:"";width:20px;height:14px;background:currentColor;clip-path:polygon(0 0,70% 0,70% 28%,100% 0,100% 100%,70% 72%,70% 100%,0 100%)}' +
  'i{position:absolute;clip-path:inset(50%)}';

let sheet: CSSStyleSheet | undefined;

/** Attaches the card's stylesheet to a shadow root: one shared constructable stylesheet. */
export function adoptStyles(root: ShadowRoot): void {
  try {
    if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(CARD_CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    sheet = undefined;
    root.append(Object.assign(document.createElement('style'), { textContent: CARD_CSS }));
  }
}
