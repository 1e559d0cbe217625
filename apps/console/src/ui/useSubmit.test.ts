// @vitest-environment happy-dom
import { h, render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/http.ts';
import { toasts } from '../state/toast.ts';
import { useSubmit, type Submit, type SubmitOptions } from './useSubmit.ts';

const roots: HTMLElement[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) render(null, root);
  toasts.value = [];
});

/** Renders a component that uses the hook; `form()` is the hook's latest value. */
async function mount(options?: SubmitOptions): Promise<() => Submit> {
  let current: Submit | undefined;
  function Probe() {
    current = useSubmit(options);
    return null;
  }
  const root = document.createElement('div');
  roots.push(root);
  await act(() => {
    render(h(Probe, null), root);
  });
  return () => {
    if (!current) throw new Error('not rendered');
    return current;
  };
}

async function submitFailing(form: () => Submit, err: unknown): Promise<void> {
  await act(async () => {
    await form().submit(() => {
      throw err;
    });
  });
}

const validation = (details: unknown) =>
  new ApiError('FLX_ERR_VALIDATION', 'The request is invalid.', 400, details);

describe('useSubmit', () => {
  it('is busy while the request runs and clears the form error when a submit starts', async () => {
    const form = await mount();
    await submitFailing(form, new ApiError('FLX_ERR_INTERNAL', 'Server trouble.', 500));
    expect(form().formError).toBe('Server trouble.');

    let release = (): void => undefined;
    let done: Promise<void> = Promise.resolve();
    await act(() => {
      done = form().submit(() => new Promise<void>((r) => (release = r)));
    });
    expect(form().busy).toBe(true);
    expect(form().formError).toBeNull();
    await act(async () => {
      release();
      await done;
    });
    expect(form().busy).toBe(false);
  });

  it('puts the server’s validation messages next to their fields, not on the form', async () => {
    const form = await mount();
    await submitFailing(
      form,
      validation([
        { field: 'email', message: 'must match format "email"' },
        { field: 'tags.2', message: 'is too long' },
      ]),
    );
    expect(form().fieldErrors).toEqual({ email: 'Must match format "email"', tags: 'Is too long' });
    expect(form().formError).toBeNull();
    expect(form().busy).toBe(false);
  });

  it('ties an error code to the field the form names, with its message or the server’s', async () => {
    const form = await mount({
      byCode: {
        FLX_ERR_CONFLICT: { field: 'email' },
        FLX_ERR_AUTH_INVALID_CREDENTIALS: { field: 'currentPassword', message: 'Not yours.' },
      },
    });
    await submitFailing(form, new ApiError('FLX_ERR_CONFLICT', 'That email is taken.', 409));
    expect(form().fieldErrors).toEqual({ email: 'That email is taken.' });
    await submitFailing(form, new ApiError('FLX_ERR_AUTH_INVALID_CREDENTIALS', 'Wrong.', 401));
    expect(form().fieldErrors).toEqual({ currentPassword: 'Not yours.' });
  });

  it('shows any other failure as the form error, or as an error toast when asked', async () => {
    const inline = await mount();
    await submitFailing(inline, new Error('offline'));
    expect(inline().formError).toBe('offline');
    expect(toasts.value).toEqual([]);

    const toasting = await mount({ formErrorTo: 'toast' });
    await submitFailing(toasting, new ApiError('FLX_ERR_AUTH_FORBIDDEN', 'Admins only.', 403));
    expect(toasting().formError).toBeNull();
    expect(toasts.value.map((t) => [t.kind, t.text])).toEqual([['error', 'Admins only.']]);
  });

  it('in a one-field form puts every failure under that field', async () => {
    const form = await mount({ field: 'label' });
    await submitFailing(form, validation([{ field: 'label', message: 'is too long' }]));
    expect(form().fieldErrors).toEqual({ label: 'Is too long' });
    // a message about another field, or none, still shows under the one field
    await submitFailing(form, validation([{ field: 'other', message: 'is odd' }]));
    expect(form().fieldErrors).toEqual({ label: 'The request is invalid.' });
    await submitFailing(form, 'not an error');
    expect(form().fieldErrors).toEqual({ label: 'Something went wrong.' });
    expect(form().formError).toBeNull();
  });

  it('forgets field messages one by one, all at once, and after a good submit', async () => {
    const form = await mount();
    const fail = () =>
      submitFailing(
        form,
        validation([
          { field: 'name', message: 'is required' },
          { field: 'sku', message: 'is taken' },
        ]),
      );
    await fail();
    await act(() => form().clearField('name'));
    expect(form().fieldErrors).toEqual({ sku: 'Is taken' });
    await act(() => form().clearFields());
    expect(form().fieldErrors).toEqual({});

    await fail();
    await act(async () => {
      await form().submit(() => Promise.resolve());
    });
    expect(form().fieldErrors).toEqual({});

    await submitFailing(form, new Error('offline'));
    await act(() => form().clearFormError());
    expect(form().formError).toBeNull();
  });
});
