/** Short confirmations and errors shown in the corner, announced to screen readers. */
import { signal } from '@preact/signals';

export interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  text: string;
}

export const toasts = signal<Toast[]>([]);
let nextId = 1;

export function toast(text: string, kind: Toast['kind'] = 'success', ms = 3500): void {
  const id = nextId++;
  toasts.value = [...toasts.value, { id, kind, text }];
  setTimeout(() => dismissToast(id), ms);
}

export function dismissToast(id: number): void {
  toasts.value = toasts.value.filter((t) => t.id !== id);
}
