import type { WidgetStrings } from '../i18n.ts';

/** Widget card strings: fr. */
export const strings: WidgetStrings = {
  title: 'Parlez-nous en direct',
  text: '{{name}} est en ligne et vous conseille volontiers par appel vidéo.',
  call: 'Lancer l’appel vidéo',
};
