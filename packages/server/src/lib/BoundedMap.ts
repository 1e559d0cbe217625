/**
 * A Map that holds at most `max` entries: setting a key makes it the newest, and past the
 * bound the oldest entry goes. For caches whose entries nobody is sure to delete (a call's
 * route cached on a process where the call does not end), so that memory stays bounded.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  readonly #max: number;

  constructor(max: number) {
    super();
    if (!Number.isInteger(max) || max < 1) throw new RangeError('max must be a positive integer');
    this.#max = max;
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.#max) {
      const oldest = this.keys().next();
      if (!oldest.done) super.delete(oldest.value);
    }
    return this;
  }
}
