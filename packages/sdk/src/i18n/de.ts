import type { WidgetStrings } from '../i18n.ts';

/** Widget card strings: de. */
export const strings: WidgetStrings = {
  title: 'Sprechen Sie live mit uns',
  text: '{{name}} ist online und berät Sie gern per Videoanruf.',
  call: 'Videoanruf starten',
};
