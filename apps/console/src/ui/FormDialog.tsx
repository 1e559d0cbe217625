/**
 * A dialog around one form: Cancel and the submit button in the footer (linked to the form by
 * id, so Enter in a field submits too), the form's general error above its fields. `onSubmit`
 * runs without the event (the default is prevented).
 */
import type { ComponentChildren } from 'preact';
import { Button } from './Button.tsx';
import { fire } from './fire.ts';
import { Modal } from './Modal.tsx';

export interface FormDialogProps {
  title: string;
  /** id of the <form>. */
  id: string;
  submitLabel: string;
  busy: boolean;
  /** Disables the submit button. */
  disabled?: boolean;
  /** A message about the whole form (not one field). */
  error?: string | null;
  wide?: boolean;
  class?: string;
  onClose: () => void;
  onSubmit: () => Promise<void>;
  children: ComponentChildren;
}

export function FormDialog({
  title,
  id,
  submitLabel,
  busy,
  disabled,
  error,
  wide,
  class: cls,
  onClose,
  onSubmit,
  children,
}: FormDialogProps) {
  return (
    <Modal
      title={title}
      onClose={onClose}
      {...(wide ? { wide } : {})}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant="primary"
            type="submit"
            form={id}
            busy={busy}
            {...(disabled === undefined ? {} : { disabled })}
          >
            {submitLabel}
          </Button>
        </>
      }
    >
      <form
        id={id}
        noValidate
        {...(cls ? { class: cls } : {})}
        onSubmit={fire(async (e: SubmitEvent) => {
          e.preventDefault();
          await onSubmit();
        })}
      >
        {error ? (
          <div class="form-error" role="alert">
            {error}
          </div>
        ) : null}
        {children}
      </form>
    </Modal>
  );
}
