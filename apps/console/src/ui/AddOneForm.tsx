/**
 * A one-field "add" form (an allowed origin, a webhook URL): checks the value as it is typed,
 * shows the server's complaint about the field under it, and clears it once added.
 */
import { useState } from 'preact/hooks';
import { Button } from './Button.tsx';
import { TextField } from './Field.tsx';
import { fire } from './fire.ts';
import { useSubmit } from './useSubmit.ts';

export function AddOneForm(props: {
  label: string;
  /** The request body field whose server error is shown under the input. */
  field: string;
  submitLabel: string;
  placeholder: string;
  /** Why the (trimmed) value cannot be added, or null. */
  rule: (value: string) => string | null;
  /** Turns the typed text into the value sent (default: trimmed). */
  normalize?: (value: string) => string;
  /** Adds the value; a rejection shows under the field. */
  onAdd: (value: string) => Promise<void>;
  ariaLabel?: string;
  style?: Record<string, string>;
}) {
  const [value, setValue] = useState('');
  const form = useSubmit({ field: props.field });
  const error = form.fieldErrors[props.field] ?? props.rule(value);
  return (
    <form
      class="card-body row"
      style={{ alignItems: 'flex-start', ...props.style }}
      noValidate
      aria-label={props.ariaLabel}
      onSubmit={fire(async (e: SubmitEvent) => {
        e.preventDefault();
        const v = props.normalize ? props.normalize(value) : value.trim();
        if (!v || props.rule(v)) return;
        await form.submit(async () => {
          await props.onAdd(v);
          setValue('');
        });
      })}
    >
      <TextField
        label={props.label}
        fieldClass="spacer"
        type="url"
        value={value}
        onValue={(v) => {
          setValue(v);
          form.clearFields();
        }}
        error={error}
        placeholder={props.placeholder}
      />
      <Button
        type="submit"
        icon="plus"
        busy={form.busy}
        disabled={!value.trim() || !!error}
        style={{ marginTop: '24px' }}
      >
        {props.submitLabel}
      </Button>
    </form>
  );
}
