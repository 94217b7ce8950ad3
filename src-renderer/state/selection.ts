/**
 * Agents ticked by hand in the Agents list, for "Bulk change selected". Kept outside the fleet store
 * (it is UI state, not hub state) but in a store so both views see the same selection.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';

export interface SelectionState {
  ids: ReadonlySet<string>;
  toggle(id: string): void;
  setMany(ids: Iterable<string>, selected: boolean): void;
  clear(): void;
}

export const selectionStore = createStore<SelectionState>()((set) => ({
  ids: new Set(),
  toggle(id) {
    set((s) => {
      const ids = new Set(s.ids);
      if (ids.has(id)) ids.delete(id);
      else ids.add(id);
      return { ids };
    });
  },
  setMany(list, selected) {
    set((s) => {
      const ids = new Set(s.ids);
      for (const id of list) {
        if (selected) ids.add(id);
        else ids.delete(id);
      }
      return { ids };
    });
  },
  clear() {
    set({ ids: new Set() });
  },
}));

export function useSelection<T>(selector: (s: SelectionState) => T): T {
  return useStore(selectionStore, selector);
}
