import type { WidgetStrings } from '../i18n.ts';

/** Widget card strings: pt. */
export const strings: WidgetStrings = {
  title: 'Fale connosco ao vivo',
  text: '{{name}} está online e pronto para ajudar por videochamada.',
  call: 'Iniciar videochamada',
};
