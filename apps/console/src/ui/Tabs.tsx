/**
 * Tabs as the ARIA tabs pattern has them: the tab list is one stop for Tab (the selected tab),
 * the arrow keys, Home and End move between tabs and select them, and each tab names the panel
 * it controls (`TabPanel`, with the same `id`). For filters that do not switch a panel, the
 * console uses a group of pressed buttons (`.segmented` with `aria-pressed`) instead.
 */
import type { ComponentChildren } from 'preact';

export interface TabItem<T extends string> {
  value: T;
  label: ComponentChildren;
  testId?: string;
}

const tabId = (id: string, value: string): string => `${id}-tab-${value}`;

export function TabList<T extends string>({
  id,
  label,
  items,
  value,
  onChange,
  class: cls,
}: {
  /** Names the tabs and their panel (TabPanel's id). */
  id: string;
  label: string;
  items: TabItem<T>[];
  value: T;
  onChange: (value: T) => void;
  class?: string;
}) {
  const move = (e: KeyboardEvent): void => {
    const at = items.findIndex((i) => i.value === value);
    const to =
      e.key === 'ArrowRight'
        ? (at + 1) % items.length
        : e.key === 'ArrowLeft'
          ? (at - 1 + items.length) % items.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? items.length - 1
              : -1;
    const next = items[to];
    if (!next) return;
    e.preventDefault();
    onChange(next.value);
    document.getElementById(tabId(id, next.value))?.focus();
  };
  return (
    <div class={cls} role="tablist" aria-label={label}>
      {items.map((item) => (
        <button
          key={item.value}
          id={tabId(id, item.value)}
          type="button"
          role="tab"
          aria-selected={item.value === value}
          aria-controls={id}
          tabIndex={item.value === value ? 0 : -1}
          data-testid={item.testId}
          onClick={() => onChange(item.value)}
          onKeyDown={move}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}

/** The panel of a TabList with the same id, labelled by the selected tab (what it holds takes the focus). */
export function TabPanel({
  id,
  value,
  children,
}: {
  id: string;
  value: string;
  children: ComponentChildren;
}) {
  return (
    <div id={id} role="tabpanel" aria-labelledby={tabId(id, value)}>
      {children}
    </div>
  );
}
