/**
 * Cursor pagination for any list route: keeps the cursors of the pages seen so Previous
 * works, reloads on demand, exposes loading and error.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { PageOf } from '@flux/protocol';
import { errorMessage } from '../api/http.ts';

export interface Paged<T> {
  items: T[];
  page: number;
  hasNext: boolean;
  loading: boolean;
  error: string | null;
  next: () => void;
  prev: () => void;
  reload: (toFirst?: boolean) => void;
  /** Replace one item locally after an edit. */
  patch: (fn: (items: T[]) => T[]) => void;
}

export function usePaged<T>(
  load: (cursor: string | undefined) => Promise<PageOf<T>>,
  deps: unknown[] = [],
): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState(0);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    setPage(0);
    setCursors([undefined]);
    setTick((t) => t + 1);
  }, deps);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    loadRef
      .current(cursors[page])
      .then((res) => {
        if (!live) return;
        setItems(res.items);
        setNextCursor(res.nextCursor);
      })
      .catch((err: unknown) => {
        if (live) setError(errorMessage(err));
      })
      .finally(() => {
        if (live) setLoading(false);
      });
    return () => {
      live = false;
    };
  }, [page, tick]);

  const next = useCallback(() => {
    if (!nextCursor) return;
    setCursors((c) => {
      const copy = c.slice(0, page + 1);
      copy.push(nextCursor);
      return copy;
    });
    setPage((p) => p + 1);
  }, [nextCursor, page]);
  const prev = useCallback(() => setPage((p) => Math.max(0, p - 1)), []);
  const reload = useCallback((toFirst = false) => {
    if (toFirst) {
      setPage(0);
      setCursors([undefined]);
    }
    setTick((t) => t + 1);
  }, []);
  return {
    items,
    page,
    hasNext: nextCursor !== null,
    loading,
    error,
    next,
    prev,
    reload,
    patch: (fn) => setItems(fn),
  };
}
