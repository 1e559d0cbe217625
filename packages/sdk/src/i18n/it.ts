import type { WidgetStrings } from '../i18n.ts';

/** Widget card strings: it. */
export const strings: WidgetStrings = {
  title: 'Parla con noi dal vivo',
  text: '{{name}} è online e ti aiuta volentieri in videochiamata.',
  call: 'Avvia videochiamata',
};
