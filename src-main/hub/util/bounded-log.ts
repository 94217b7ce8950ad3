/**
 * Fixed-capacity log: keeps the newest `capacity` entries, O(1) push, no reallocation.
 * Used for presence transition logs (and anything else that must not grow with uptime).
 */
export class BoundedLog<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** Newest first. */
  newestFirst(limit = this.count): T[] {
    const out: T[] = [];
    for (let i = 0; i < Math.min(limit, this.count); i++) {
      out.push(this.items[(this.next - 1 - i + this.capacity) % this.capacity] as T);
    }
    return out;
  }

  latest(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.next - 1 + this.capacity) % this.capacity];
  }
}
