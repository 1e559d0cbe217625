/**
 * A labelled form field: wires the label, the hint and the error message to the control
 * (aria-describedby, aria-invalid) so screen readers announce them.
 */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { Icon } from './Icon.tsx';

export interface FieldProps {
  label: string;
  hint?: ComponentChildren;
  error?: string | null | undefined;
  class?: string;
  children: (ids: {
    id: string;
    'aria-describedby': string | undefined;
    'aria-invalid': 'true' | undefined;
  }) => ComponentChildren;
}

export function Field({ label, hint, error, class: cls, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = error ? `${id}-err` : undefined;
  const describedBy = [errId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field ${cls ?? ''}`}>
      <label for={id}>{label}</label>
      {children({
        id,
        'aria-describedby': describedBy,
        'aria-invalid': error ? 'true' : undefined,
      })}
      {error ? (
        <div class="field-error" id={errId} role="alert">
          <Icon name="alert" size={14} />
          <span>{error}</span>
        </div>
      ) : hint ? (
        <div class="field-hint" id={hintId}>
          {hint}
        </div>
      ) : null}
    </div>
  );
}

interface InputProps {
  type?: 'text' | 'email' | 'password' | 'url' | 'search' | 'tel';
  name?: string;
  autocomplete?: string;
  placeholder?: string;
  disabled?: boolean;
  maxLength?: number;
  /** Focused when a dialog opens. */
  autofocus?: boolean;
  inputMode?: 'text' | 'numeric' | 'decimal' | 'email' | 'url';
  label: string;
  value: string;
  onValue: (v: string) => void;
  error?: string | null | undefined;
  hint?: ComponentChildren;
  fieldClass?: string;
}

/** A text input inside a Field. */
export function TextField({
  label,
  value,
  onValue,
  error,
  hint,
  fieldClass,
  type = 'text',
  ...rest
}: InputProps) {
  return (
    <Field label={label} error={error} hint={hint} class={fieldClass ?? ''}>
      {(ids) => (
        <input
          class="input"
          {...rest}
          // Preact's input typings are a union keyed by `type` that TS cannot match against
          // a union of types; tsc needs this assertion although eslint thinks otherwise.
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
          type={type as 'text'}
          {...ids}
          value={value}
          onInput={(e) => onValue(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}
