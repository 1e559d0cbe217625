import type { WidgetStrings } from '../i18n.ts';

/** Widget card strings: sv. */
export const strings: WidgetStrings = {
  title: 'Prata med oss live',
  text: '{{name}} är online och hjälper dig gärna via videosamtal.',
  call: 'Starta videosamtal',
};
