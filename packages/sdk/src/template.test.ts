// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { fillName, fillTemplate } from './template.ts';

describe('fillTemplate', () => {
  it('replaces {{name}} anywhere, with or without spaces, and leaves unknown keys', () => {
    expect(fillTemplate('{{name}} and {{ name }} · {{other}}', { name: 'Mia' })).toBe(
      'Mia and Mia · {{other}}',
    );
  });
  it('produces text: markup in a name stays literal when assigned as textContent', () => {
    const el = document.createElement('p');
    el.textContent = fillTemplate('Agent: {{name}}', { name: '<img src=x onerror=alert(1)>' });
    expect(el.querySelector('img')).toBeNull();
    expect(el.textContent).toBe('Agent: <img src=x onerror=alert(1)>');
  });
  it('does not interpret $ patterns of String.replace', () => {
    expect(fillTemplate('{{name}}', { name: "$& $' $1" })).toBe("$& $' $1");
  });
  it('fillName (the card’s) agrees with fillTemplate for {{name}}', () => {
    for (const t of ['{{name}} and {{ name }} · {{other}}', 'Hi', '{{name}}{{name}}']) {
      for (const name of ['Mia', "$& $' $1", '<b>x</b>']) {
        expect(fillName(t, name)).toBe(fillTemplate(t, { name }));
      }
    }
  });
});
