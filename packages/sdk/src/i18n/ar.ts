import type { WidgetStrings } from '../i18n.ts';

/** Widget card strings: ar. */
export const strings: WidgetStrings = {
  title: 'تحدث معنا مباشرة',
  text: '{{name}} متصل الآن ويسعده مساعدتك عبر مكالمة فيديو.',
  call: 'ابدأ مكالمة فيديو',
};
