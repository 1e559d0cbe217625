/**
 * Modal dialog on the native <dialog> (focus trapping, Escape and the top layer come from
 * the browser). `ConfirmDialog` guards every destructive action.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { Button } from './Button.tsx';
import { Icon } from './Icon.tsx';
import { fire } from './fire.ts';

export interface ModalProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  footer?: ComponentChildren;
  wide?: boolean;
}

export function Modal({ title, onClose, children, footer, wide }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    const prev = document.activeElement as HTMLElement | null;
    if (d && !d.open) d.showModal();
    return () => {
      prev?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={`modal ${wide ? 'modal-wide' : ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      <div class="modal-head">
        <h2 id={titleId}>{title}</h2>
        <span class="spacer" />
        <Button variant="ghost" icon="x" aria-label="Close" onClick={onClose} />
      </div>
      <div class="modal-body">{children}</div>
      {footer ? <div class="modal-foot">{footer}</div> : null}
    </dialog>
  );
}

export interface ConfirmProps {
  title: string;
  message: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<void> | void;
  onClose: () => void;
}

export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  danger = true,
  onConfirm,
  onClose,
}: ConfirmProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      title={title}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button
            variant={danger ? 'danger' : 'primary'}
            busy={busy}
            onClick={fire(async () => {
              setBusy(true);
              setError(null);
              try {
                await onConfirm();
                onClose();
              } catch (err) {
                setError(err instanceof Error ? err.message : 'That did not work.');
                setBusy(false);
              }
            })}
          >
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div class="stack-s">
        <div class="row" style={{ alignItems: 'flex-start', gap: '12px' }}>
          {danger ? (
            <span
              class="badge badge-danger"
              style={{ height: '28px', width: '28px', padding: 0, justifyContent: 'center' }}
            >
              <Icon name="alert" size={16} />
            </span>
          ) : null}
          <div style={{ color: 'var(--text-2)' }}>{message}</div>
        </div>
        {error ? (
          <div class="form-error" role="alert">
            {error}
          </div>
        ) : null}
      </div>
    </Modal>
  );
}
