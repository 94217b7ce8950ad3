/**
 * A read-only view of a Map that the fleet store updates in place.
 *
 * Why: a batch that touches every one of 10,000 agents used to copy the whole map (copy-on-write, so
 * selectors saw a new identity). The copy was most of the cost: 10.5 ms per batch of 10,000 agents
 * and 10,000 servers against 0.8 ms for the same `set`s in place (V8, `node bench/renderer-store.mjs`).
 * Now each batch mutates the one Map and hands out a new view object over it: selectors and
 * `useMemo` dependencies still see a new identity and recompute, and nothing is copied.
 *
 * The price: an older view reads current data. Nothing in the console keeps a view to compare with
 * a later one (renders read the latest state); code that needs a frozen copy makes one (`new Map(view)`).
 */
export class MapView<K, V> implements ReadonlyMap<K, V> {
  /** Only the store writes through this. */
  readonly #map: Map<K, V>;

  constructor(map: Map<K, V> = new Map()) {
    this.#map = map;
  }

  /** For the store: the Map behind the view, to update in place before handing out `next()`. */
  static writable<K, V>(view: MapView<K, V>): Map<K, V> {
    return view.#map;
  }

  /** A new view (new identity) over the same, updated Map. */
  next(): MapView<K, V> {
    return new MapView(this.#map);
  }

  get size(): number {
    return this.#map.size;
  }
  get(key: K): V | undefined {
    return this.#map.get(key);
  }
  has(key: K): boolean {
    return this.#map.has(key);
  }
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    this.#map.forEach((value, key) => callback.call(thisArg, value, key, this));
  }
  entries(): MapIterator<[K, V]> {
    return this.#map.entries();
  }
  keys(): MapIterator<K> {
    return this.#map.keys();
  }
  values(): MapIterator<V> {
    return this.#map.values();
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.#map[Symbol.iterator]();
  }
}
