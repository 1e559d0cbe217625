import type { WidgetStrings } from '../i18n.ts';

/** Widget card strings: nl. */
export const strings: WidgetStrings = {
  title: 'Praat live met ons',
  text: '{{name}} is online en helpt je graag via een videogesprek.',
  call: 'Videogesprek starten',
};
