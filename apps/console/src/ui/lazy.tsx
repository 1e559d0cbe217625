/** Loads a screen's code on first use (the admin screens live in their own chunk). */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading } from './misc.tsx';

export function lazyScreen(load: () => Promise<ComponentType>): ComponentType {
  let cached: ComponentType | null = null;
  return function LazyScreen() {
    const [C, setC] = useState<ComponentType | null>(() => cached);
    const [error, setError] = useState(false);
    useEffect(() => {
      if (cached) return;
      load().then(
        (c) => {
          cached = c;
          setC(() => c);
        },
        () => setError(true),
      );
    }, []);
    if (error)
      return (
        <div class="form-error" role="alert">
          This screen could not be loaded. Check your connection and reload the page.
        </div>
      );
    return C ? <C /> : <Loading />;
  };
}
