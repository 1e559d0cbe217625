/**
 * A server-paginated table (see usePaged): the list's error, a spinner while the first page
 * loads, the `empty` state, the table itself (one `row` per item, each a keyed <tr>), and the
 * pager below.
 */
import type { ComponentChildren } from 'preact';
import type { Paged } from './usePaged.ts';
import { Loading, Pager } from './misc.tsx';

export interface PagedTableProps<T> {
  list: Paged<T>;
  /** data-testid of the <table>. */
  testId: string;
  /** The header cells (<th>…). */
  head: ComponentChildren;
  row: (item: T) => ComponentChildren;
  empty: ComponentChildren;
  /**
   * Show the pager only when there is more than one page. (Either way, an empty first page
   * has none: its empty state says it all.)
   */
  pagerWhenNeeded?: boolean;
}

export function PagedTable<T>({
  list,
  testId,
  head,
  row,
  empty,
  pagerWhenNeeded = false,
}: PagedTableProps<T>) {
  return (
    <>
      {list.error ? (
        <div class="form-error" style={{ margin: '16px' }}>
          {list.error}
        </div>
      ) : null}
      {list.loading && list.items.length === 0 ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        empty
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid={testId}>
            <thead>
              <tr>{head}</tr>
            </thead>
            <tbody>{list.items.map(row)}</tbody>
          </table>
        </div>
      )}
      {list.page > 0 || list.hasNext || (!pagerWhenNeeded && list.items.length > 0) ? (
        <Pager
          page={list.page}
          hasNext={list.hasNext}
          loading={list.loading}
          onPrev={list.prev}
          onNext={list.next}
          count={list.items.length}
        />
      ) : null}
    </>
  );
}
