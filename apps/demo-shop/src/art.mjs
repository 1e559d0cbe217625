// Simple vector art for the demo catalog and the demo agents' profile photos.
const esc = (s) =>
  String(s).replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c],
  );

const shapes = {
  shirt: (
    c,
  ) => `<path d="M70 60 L100 45 Q120 62 140 45 L170 60 L195 95 L170 110 L165 100 L165 205 L75 205 L75 100 L70 110 L45 95 Z" fill="${c}"/>
    <path d="M100 45 Q120 62 140 45 L132 70 L120 60 L108 70 Z" fill="#fff" opacity=".85"/>
    <g fill="#fff" opacity=".8"><circle cx="120" cy="95" r="3"/><circle cx="120" cy="125" r="3"/><circle cx="120" cy="155" r="3"/><circle cx="120" cy="185" r="3"/></g>`,
  pants: (c) => `<path d="M80 40 H160 L172 210 H130 L120 95 L110 210 H68 Z" fill="${c}"/>
    <rect x="80" y="40" width="80" height="14" fill="#000" opacity=".18"/>`,
  hat: (c) => `<ellipse cx="120" cy="160" rx="95" ry="24" fill="${c}"/>
    <path d="M65 160 Q70 80 120 78 Q170 80 175 160 Z" fill="${c}"/><path d="M95 84 Q120 100 145 84" stroke="#000" stroke-opacity=".2" stroke-width="6" fill="none"/>
    <rect x="66" y="138" width="108" height="14" fill="#222" opacity=".75"/>`,
  bucket: (
    c,
  ) => `<path d="M40 165 L75 95 H165 L200 165 Z" fill="${c}"/><path d="M80 95 Q120 55 160 95 Z" fill="${c}"/>
    <path d="M45 160 H195" stroke="#000" stroke-opacity=".15" stroke-width="4"/>`,
  beanie: (
    c,
  ) => `<path d="M60 170 Q60 70 120 68 Q180 70 180 170 Z" fill="${c}"/><rect x="55" y="150" width="130" height="36" rx="8" fill="${c}"/>
    <rect x="55" y="150" width="130" height="36" rx="8" fill="#000" opacity=".15"/><circle cx="120" cy="62" r="16" fill="${c}"/>`,
  scarf: (
    c,
  ) => `<path d="M60 60 H180 V110 Q120 140 60 110 Z" fill="${c}"/><path d="M90 115 L80 210 H112 L118 125 Z" fill="${c}"/>
    <path d="M60 60 H180 V110 Q120 140 60 110 Z" fill="#fff" opacity=".12"/>`,
  cap: (
    c,
  ) => `<path d="M60 150 Q62 80 125 78 Q185 82 185 150 Z" fill="${c}"/><path d="M150 150 Q200 150 215 168 Q170 172 120 160 Z" fill="${c}"/>
    <path d="M150 150 Q200 150 215 168 Q170 172 120 160 Z" fill="#000" opacity=".2"/><circle cx="124" cy="80" r="6" fill="#000" opacity=".25"/>`,
};

export function productSvg(p) {
  const draw = shapes[p.kind] ?? shapes.hat;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240" role="img" aria-label="${esc(p.name)}">
  <rect width="240" height="240" fill="#f4f1ea"/><ellipse cx="120" cy="214" rx="80" ry="8" fill="#000" opacity=".08"/>
  ${draw(p.color)}
</svg>
`;
}

export function avatarSvg(a) {
  const initials = a.name
    .split(' ')
    .map((w) => w[0])
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 160" role="img" aria-label="${esc(a.name)}">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${a.colors[0]}"/><stop offset="1" stop-color="${a.colors[1]}"/></linearGradient></defs>
  <rect width="160" height="160" fill="url(#g)"/>
  <circle cx="80" cy="64" r="30" fill="#fff" opacity=".9"/><path d="M24 160 Q28 104 80 102 Q132 104 136 160 Z" fill="#fff" opacity=".9"/>
  <text x="80" y="74" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="26" font-weight="700" fill="${a.colors[1]}">${esc(initials)}</text>
</svg>
`;
}
