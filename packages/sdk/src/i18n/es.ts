import type { WidgetStrings } from '../i18n.ts';

/** Widget card strings: es. */
export const strings: WidgetStrings = {
  title: 'Habla con nosotros en directo',
  text: '{{name}} está en línea y encantado de ayudarte por videollamada.',
  call: 'Iniciar videollamada',
};
