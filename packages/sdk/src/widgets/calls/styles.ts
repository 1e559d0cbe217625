/**
 * The widget card's stylesheet, applied with a constructable stylesheet
 * (`adoptedStyleSheets`), which a strict CSP (`style-src` without 'unsafe-inline') allows;
 * browsers without it get a <style> element. Theme with the --flux-* custom properties,
 * which inherit through the shadow boundary (docs/integration.md › Theming).
 */
export const CARD_CSS = `:host{all:initial;display:block;contain:layout paint style;container-type:inline-size}
:host(:not([data-flux-state=ready],[data-flux-state=calling],[data-flux-state=in-call])){display:none}
*{box-sizing:border-box}
.card{display:grid;grid-template-columns:auto 1fr;gap:12px 14px;align-items:center;padding:var(--flux-padding,16px);font:15px/1.4 var(--flux-font,system-ui,sans-serif);color:var(--flux-text,#1d2433);background:var(--flux-bg,#fff);border:1px solid var(--flux-border,#dfe3ea);border-radius:var(--flux-radius,14px);box-shadow:var(--flux-shadow,0 1px 3px #1018281a)}
.ph{position:relative;width:var(--flux-photo-size,56px);aspect-ratio:1}
img,.ini{width:100%;height:100%;border-radius:50%;object-fit:cover;display:grid;place-items:center;background:#eef1f6;font-weight:600;font-size:20px;color:var(--flux-muted,#5b6475)}
[hidden]{display:none}
i{position:absolute;inset-inline-end:1px;bottom:1px;width:14px;height:14px;border-radius:50%;background:var(--flux-online,#1f9d55);border:2px solid var(--flux-bg,#fff)}
strong{display:block;font-size:1.05em}
p{margin:2px 0 0;color:var(--flux-muted,#5b6475)}
strong,p{overflow-wrap:anywhere}
button{grid-column:1/-1;display:flex;align-items:center;justify-content:center;gap:8px;min-height:44px;padding:10px 18px;border:0;border-radius:var(--flux-button-radius,999px);font:inherit;font-weight:600;cursor:pointer;color:var(--flux-accent-text,#fff);background:var(--flux-accent,#0b63ce)}
button:hover{filter:brightness(1.1)}
button:focus-visible{outline:3px solid var(--flux-focus,#ffb020);outline-offset:2px}
button:disabled{cursor:default;opacity:.7}
svg{width:20px;fill:currentColor}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
@container (min-width:460px){.card{grid-template-columns:auto 1fr auto}button{grid-column:auto}}`;

let shared: CSSStyleSheet | undefined;

/** Attaches `css` to a shadow root, preferring one shared constructable stylesheet. */
export function adoptStyles(root: ShadowRoot, css: string): void {
  try {
    if (!shared) (shared = new CSSStyleSheet()).replaceSync(css);
    root.adoptedStyleSheets = [shared];
  } catch {
    shared = undefined;
    root.append(Object.assign(document.createElement('style'), { textContent: css }));
  }
}
