/** Tags as removable chips; type and press Enter or comma to add. */
import { useId, useState } from 'preact/hooks';
import { addTags, normalizeTag } from '../lib/tags.ts';
import { tag as tagRule } from '../lib/validate.ts';
import { Icon } from './Icon.tsx';

export function ChipsEditor({
  label,
  tags,
  onChange,
  error,
  hint,
  max = 20,
}: {
  label: string;
  tags: string[];
  onChange: (tags: string[]) => void;
  error?: string | null | undefined;
  hint?: string;
  max?: number;
}) {
  const id = useId();
  const [draft, setDraft] = useState('');
  const pending = normalizeTag(draft);
  const draftError =
    draft.trim() && !pending
      ? 'Use letters or digits.'
      : pending
        ? tagRule(pending)
        : tags.length >= max
          ? `At most ${max} tags.`
          : null;
  const commit = () => {
    if (!draft.trim()) return;
    const next = addTags(tags, draft, max);
    onChange(next);
    setDraft('');
  };
  const shownError = error ?? (draft ? draftError : null);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <div class="chips" onClick={() => document.getElementById(id)?.focus()}>
        {tags.map((t) => (
          <span class="chip" key={t}>
            {t}
            <button
              type="button"
              aria-label={`Remove tag ${t}`}
              onClick={(e) => {
                e.stopPropagation();
                onChange(tags.filter((x) => x !== t));
              }}
            >
              <Icon name="x" size={12} />
            </button>
          </span>
        ))}
        <input
          id={id}
          value={draft}
          placeholder={tags.length ? 'Add another…' : 'Type a tag and press Enter'}
          aria-invalid={shownError ? 'true' : undefined}
          aria-describedby={`${id}-help`}
          onInput={(e) => {
            const v = e.currentTarget.value;
            if (v.includes(',')) {
              onChange(addTags(tags, v, max));
              setDraft('');
            } else setDraft(v);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              commit();
            } else if (e.key === 'Backspace' && draft === '' && tags.length) {
              onChange(tags.slice(0, -1));
            }
          }}
          onBlur={commit}
        />
      </div>
      <div
        id={`${id}-help`}
        class={shownError ? 'field-error' : 'field-hint'}
        role={shownError ? 'alert' : undefined}
      >
        {shownError ??
          (pending && pending !== draft.trim()
            ? `Will be added as “${pending}”.`
            : (hint ?? 'Lowercase letters, digits, - and _. Press Enter to add.'))}
      </div>
    </div>
  );
}
