import type { ButtonHTMLAttributes, ComponentChildren } from 'preact';
import { Icon, type IconName } from './Icon.tsx';

type Variant = 'primary' | 'danger' | 'ok' | 'ghost' | 'danger-ghost' | 'default';

export interface ButtonProps extends Omit<ButtonHTMLAttributes, 'icon' | 'size' | 'type'> {
  variant?: Variant;
  size?: 's' | 'm' | 'l';
  icon?: IconName;
  busy?: boolean;
  block?: boolean;
  type?: 'button' | 'submit';
  disabled?: boolean;
  children?: ComponentChildren;
}

export function Button({
  variant = 'default',
  size = 'm',
  icon,
  busy = false,
  block = false,
  type = 'button',
  disabled,
  children,
  class: cls,
  ...rest
}: ButtonProps) {
  const classes = [
    'btn',
    variant === 'default' ? '' : `btn-${variant}`,
    size === 'm' ? '' : `btn-${size}`,
    block ? 'btn-block' : '',
    children === undefined ? 'btn-icon' : '',
    typeof cls === 'string' ? cls : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <button
      {...rest}
      type={type}
      class={classes}
      disabled={disabled === true || busy}
      aria-busy={busy ? 'true' : undefined}
    >
      {busy ? <span class="spinner" aria-hidden="true" /> : icon ? <Icon name={icon} /> : null}
      {children}
    </button>
  );
}
