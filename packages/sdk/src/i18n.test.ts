// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { deniedHelpKey } from './call-ui/index.ts';
import { EN_UI } from './call-ui/strings.ts';
import { builtinLanguage, isRtl, LANGUAGES, resolveLanguage } from './i18n.ts';

describe('languages', () => {
  it('maps tags to the built-in languages', () => {
    expect(builtinLanguage('pt-BR')).toBe('pt');
    expect(builtinLanguage('DE_at')).toBe('de');
    expect(builtinLanguage('tlh')).toBeUndefined();
    expect(resolveLanguage('xx')).toBeUndefined();
    document.documentElement.lang = 'sv-SE';
    expect(resolveLanguage(undefined)).toBe('sv');
    expect(isRtl('ar')).toBe(true);
    expect(isRtl('de')).toBe(false);
  });

  it('every built-in language has widget and call UI strings, with {{name}} where English has it', async () => {
    for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
      const card = ((await import(`./i18n/${lang}.ts`)) as { strings: Record<string, string> })
        .strings;
      expect(card.text).toContain('{{name}}');
      const ui = (
        (await import(`./call-ui/lang/${lang}.ts`)) as { strings: Record<string, string> }
      ).strings;
      for (const [key, en] of Object.entries(EN_UI)) {
        expect(ui[key], `${lang}.${key}`).toBeTruthy();
        if (en.includes('{{name}}')) expect(ui[key], `${lang}.${key}`).toContain('{{name}}');
      }
    }
  });
});

describe('permission guidance', () => {
  it('picks the instructions for the visitor’s browser', () => {
    const ua = {
      chrome:
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
      firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      safari:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
      ios: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1',
    };
    expect(deniedHelpKey(ua.chrome)).toBe('deniedChrome');
    expect(deniedHelpKey(ua.firefox)).toBe('deniedFirefox');
    expect(deniedHelpKey(ua.safari)).toBe('deniedSafari');
    expect(deniedHelpKey(ua.ios)).toBe('deniedIos');
  });
});
