/**
 * Shows a secret the server returns only once (a new API key, a webhook's signing secret),
 * selected on focus, with a copy button; closing it is the user's "I copied it".
 */
import type { ComponentChildren } from 'preact';
import { Button } from './Button.tsx';
import { CopyButton } from './CopyButton.tsx';
import { Modal } from './Modal.tsx';

export function SecretOnceDialog(props: {
  title: string;
  secret: string;
  /** Accessible name of the field holding the secret. */
  label: string;
  testId: string;
  /** Why it is shown once and what it is for. */
  children: ComponentChildren;
  onClose: () => void;
}) {
  return (
    <Modal
      title={props.title}
      onClose={props.onClose}
      footer={
        <Button variant="primary" onClick={props.onClose}>
          I copied it
        </Button>
      }
    >
      <div class="stack-s">
        <div class="banner banner-warn small">{props.children}</div>
        <div class="row">
          <input
            class="input mono"
            readOnly
            value={props.secret}
            data-testid={props.testId}
            aria-label={props.label}
            onFocus={(e) => e.currentTarget.select()}
          />
          <CopyButton text={props.secret} size="m" />
        </div>
      </div>
    </Modal>
  );
}
