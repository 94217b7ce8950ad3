/**
 * Canvas drawing cannot use CSS variables, so charts read the theme's colors when they draw and draw
 * again when the OS switches between light and dark (theme.css follows prefers-color-scheme).
 */
import { useSyncExternalStore } from 'react';

const DARK_QUERY = '(prefers-color-scheme: dark)';

function subscribe(cb: () => void): () => void {
  if (typeof window.matchMedia !== 'function') return () => {};
  const query = window.matchMedia(DARK_QUERY);
  query.addEventListener('change', cb);
  return () => query.removeEventListener('change', cb);
}

const snapshot = (): 'light' | 'dark' =>
  typeof window.matchMedia === 'function' && window.matchMedia(DARK_QUERY).matches ? 'dark' : 'light';

/** The color scheme in effect; a change re-renders (and so redraws) the charts. */
export function useColorScheme(): 'light' | 'dark' {
  return useSyncExternalStore(subscribe, snapshot, () => 'light');
}

/** The value of a CSS custom property on `el` (e.g. `--good`), with a fallback when unset. */
export function cssColor(el: Element, name: string, fallback = '#888'): string {
  const value = getComputedStyle(el).getPropertyValue(name).trim();
  return value || fallback;
}
