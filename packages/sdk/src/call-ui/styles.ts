/**
 * Styles of the call UI (one shadow root on a fixed host, constructable stylesheet, so a
 * strict CSP works). Mobile first: full screen on phones, a floating panel from 640 px.
 * The same --flux-* custom properties as the widget card theme it.
 */
export const CALL_CSS = `:host{all:initial;position:fixed;z-index:2147483000;inset:0;display:block;font:15px/1.4 var(--flux-font,system-ui,sans-serif);color:var(--flux-text,#1d2433)}
*{box-sizing:border-box}
[hidden]{display:none!important}
.panel{position:absolute;inset:0;display:flex;flex-direction:column;background:var(--flux-bg,#fff);overflow:hidden}
@media (min-width:640px){:host{inset:auto 24px 24px auto;width:400px;height:min(640px,calc(100vh - 48px))}.panel{border-radius:var(--flux-radius,16px);box-shadow:0 12px 48px #10182840;border:1px solid var(--flux-border,#dfe3ea)}}
:host(.min){inset:auto 16px 16px auto;width:200px;height:150px}
:host(.min) .panel{border-radius:12px;box-shadow:0 8px 24px #10182840}
:host(.min) .body>:not(.stage),:host(.min) .bar,:host(.min) .head,:host(.min) .self{display:none}
.head{display:flex;align-items:center;gap:10px;padding:12px 14px;border-bottom:1px solid var(--flux-border,#dfe3ea)}
.head img{width:36px;height:36px;border-radius:50%;object-fit:cover;background:#eef1f6}
.who{flex:1;min-width:0}.who b{display:block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.st{font-size:13px;color:var(--flux-muted,#5b6475)}
.st[data-s=connected]::before{content:"";display:inline-block;width:8px;height:8px;border-radius:50%;background:var(--flux-online,#1f9d55);margin-inline-end:6px}
.st[data-s=reconnecting],.st[data-s=weak]{color:#b45309}
.body{flex:1;overflow:auto;display:flex;flex-direction:column;gap:14px;padding:14px}
.stage{position:relative;flex:none;aspect-ratio:4/3;background:#111827;border-radius:12px;overflow:hidden}
:host(.min) .body{padding:0}:host(.min) .stage{position:absolute;inset:0;border-radius:0;aspect-ratio:auto}
video{width:100%;height:100%;object-fit:cover;display:block;background:#111827}
.mirror{transform:scaleX(-1)}
.ring{flex:1 1 auto;min-height:240px;aspect-ratio:auto}
.rv,.ring>video{position:absolute;inset:0}
.ring>.rv{inset:auto 0 0 auto;width:1px;height:1px;opacity:.01}
.ring .over{position:absolute;inset:0 0 auto;padding:28px 16px 48px;color:#fff;background:linear-gradient(#000b,#0000)}
.over p{color:#ffffffe0}.over .big{border:3px solid #fff}.over .pulse{box-shadow:0 0 0 8px #fff5}
.mid{margin-block:auto}.mid .big{width:120px;height:120px}
.you{position:absolute;bottom:10px;inset-inline-start:10px;padding:2px 10px;border-radius:999px;background:#0009;color:#fff;font-size:13px}
.self{position:absolute;z-index:1;width:28%;inset-inline-end:8px;bottom:8px;aspect-ratio:4/3;height:auto;border-radius:8px;border:2px solid #fff;object-fit:cover}
.center{text-align:center;display:flex;flex-direction:column;align-items:center;gap:10px;padding:8px 0}
.big{width:88px;height:88px;border-radius:50%;object-fit:cover;background:#eef1f6}
.pulse{box-shadow:0 0 0 8px #0b63ce22;animation:p 1.6s ease-in-out infinite}@keyframes p{50%{transform:scale(1.08)}}
@media (prefers-reduced-motion:reduce){.pulse,.over .pulse{animation:none}}
h2{font-size:18px;margin:0}p{margin:0;color:var(--flux-muted,#5b6475)}
.bar{display:flex;justify-content:center;gap:12px;padding:12px;border-top:1px solid var(--flux-border,#dfe3ea);flex-wrap:wrap}
button{font:inherit;cursor:pointer;border-radius:999px;min-height:44px;min-width:44px;padding:10px 18px;border:1px solid var(--flux-border,#dfe3ea);background:var(--flux-bg,#fff);color:inherit;font-weight:600;display:inline-flex;align-items:center;justify-content:center;gap:6px}
button:focus-visible,a:focus-visible,input:focus-visible,textarea:focus-visible{outline:3px solid var(--flux-focus,#ffb020);outline-offset:2px}
.panel:focus{outline:none}
.pri{background:var(--flux-accent,#0b63ce);border-color:transparent;color:var(--flux-accent-text,#fff)}
.end{background:#d92d20;border-color:transparent;color:#fff}
.ic{padding:10px;width:48px;height:48px}
.ic[aria-pressed=true]{background:#1d2433;color:#fff}
svg{width:22px;height:22px;fill:currentColor}
.x{border:0;background:none;padding:8px;min-width:40px}
.mini{position:absolute;inset:6px 6px auto auto;display:none;gap:4px}
:host(.min) .mini{display:flex}.mini button{min-height:34px;min-width:34px;padding:6px;background:#000a;color:#fff;border:0}
.tip{position:absolute;z-index:2;inset:8px 8px auto;display:flex;align-items:center;gap:8px;padding:6px;padding-inline-start:12px;border-radius:10px;background:#000c;color:#fff;font-size:13px}
.tip span{flex:1}.tip button{min-height:36px;padding:6px 12px;border:0;background:#fff;color:#1d2433;font-size:13px}
:host(.min) .tip{display:none}
.row{display:flex;gap:10px;align-items:center;justify-content:center;flex-wrap:wrap}
label{display:flex;gap:8px;align-items:center}
form{display:flex;flex-direction:column;gap:8px;text-align:start;width:100%}
input,textarea{font:inherit;padding:10px;border:1px solid var(--flux-border,#c7ccd6);border-radius:8px;width:100%}
[type=checkbox]{width:20px;height:20px;padding:0;accent-color:var(--flux-accent,#0b63ce)}
.prods{display:grid;gap:10px}.prods h3{font-size:14px;margin:0}
.prod{display:grid;grid-template-columns:64px 1fr;gap:10px;align-items:center;border:1px solid var(--flux-border,#dfe3ea);border-radius:10px;padding:8px}
.prod img{width:64px;height:64px;object-fit:cover;border-radius:6px;background:#eef1f6}
.prod a{color:inherit;font-weight:600;text-decoration:none}.prod a:hover{text-decoration:underline}
.prod .pa{display:flex;justify-content:space-between;align-items:center;gap:8px;flex-wrap:wrap}
.prod button{min-height:36px;padding:6px 12px;font-size:14px}
.stars{display:flex;gap:4px;direction:ltr}.stars button{font-size:24px;padding:4px 8px;border:0;color:#f5a524}
.stars button[aria-pressed=true]~button{color:#c7ccd6}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}`;
