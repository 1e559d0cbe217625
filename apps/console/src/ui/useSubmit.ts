/**
 * The submit half of a console form: a busy flag while the request runs, the server's messages
 * for the form's fields (`fieldErrorsOf`) and its message about the form as a whole. The form
 * keeps its values and its own checks; it hands the request to `submit`.
 */
import { useState } from 'preact/hooks';
import { ApiError, errorMessage, fieldErrorsOf } from '../api/http.ts';
import { toast } from '../state/toast.ts';
import { without } from '../lib/objects.ts';

export interface SubmitOptions {
  /** Error codes the form ties to one of its fields (e.g. a taken email to `email`). */
  byCode?: Parameters<typeof fieldErrorsOf>[1];
  /**
   * A one-field form: every error shows under this field (the server's message for it, else
   * the error's message), never as a form error.
   */
  field?: string;
  /** Where a message about the whole form goes: `formError` (default) or an error toast. */
  formErrorTo?: 'form' | 'toast';
}

export interface Submit {
  busy: boolean;
  /** The server's messages by field name; replaced by a failed submit, emptied by a good one. */
  fieldErrors: Record<string, string>;
  /** The message about the whole form, or null; cleared when a submit starts. */
  formError: string | null;
  /**
   * Runs `request` with `busy` set. A failure becomes field errors or the form error (or a
   * toast); the returned promise never rejects.
   */
  submit: (request: () => Promise<void>) => Promise<void>;
  /** Forgets the server's message for one field (the user changed it). */
  clearField: (name: string) => void;
  /** Forgets the server's messages for every field. */
  clearFields: () => void;
  clearFormError: () => void;
}

export function useSubmit(options: SubmitOptions = {}): Submit {
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const failed = (err: unknown): void => {
    const one = options.field;
    if (one !== undefined) {
      const own = err instanceof ApiError ? err.fields[one] : undefined;
      setFieldErrors({ [one]: own ?? errorMessage(err) });
      return;
    }
    const fields = fieldErrorsOf(err, options.byCode);
    if (fields) setFieldErrors(fields);
    else if (options.formErrorTo === 'toast') toast(errorMessage(err), 'error');
    else setFormError(errorMessage(err));
  };
  return {
    busy,
    fieldErrors,
    formError,
    submit: async (request) => {
      setBusy(true);
      setFormError(null);
      try {
        await request();
        setFieldErrors({});
      } catch (err) {
        failed(err);
      } finally {
        setBusy(false);
      }
    },
    clearField: (name) => setFieldErrors((f) => without(f, name)),
    clearFields: () => setFieldErrors({}),
    clearFormError: () => setFormError(null),
  };
}
