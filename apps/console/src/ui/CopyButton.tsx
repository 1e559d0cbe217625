import { useState } from 'preact/hooks';
import { Button } from './Button.tsx';
import { fire } from './fire.ts';

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API refused (no permission or insecure context): the field stays selectable.
    return false;
  }
}

export function CopyButton({
  text,
  label = 'Copy',
  size = 's',
}: {
  text: string;
  label?: string;
  size?: 's' | 'm';
}) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      size={size}
      icon={copied ? 'check' : 'copy'}
      onClick={fire(async () => {
        if (await copyText(text)) {
          setCopied(true);
          setTimeout(() => setCopied(false), 1800);
        }
      })}
    >
      <span aria-live="polite">{copied ? 'Copied' : label}</span>
    </Button>
  );
}
