/**
 * Adapts an async event handler to the void handler the DOM expects; errors the handler did
 * not catch are reported as a toast instead of becoming unhandled rejections.
 */
import { toast } from '../state/toast.ts';

export function fire<A extends unknown[]>(
  fn: (...args: A) => Promise<unknown>,
): (...args: A) => void {
  return (...args: A) => {
    fn(...args).catch((err: unknown) => {
      toast(err instanceof Error ? err.message : 'Something went wrong.', 'error');
    });
  };
}
