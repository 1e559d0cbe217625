import type { WidgetStrings } from '../i18n.ts';

/** Widget card strings: pl. */
export const strings: WidgetStrings = {
  title: 'Porozmawiaj z nami na żywo',
  text: '{{name}} jest online i chętnie pomoże podczas rozmowy wideo.',
  call: 'Rozpocznij rozmowę wideo',
};
