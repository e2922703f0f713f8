/** Weak references where the runtime has them; elsewhere (older workerd) a plain one, which only costs memory. */
export interface Deref<T> {
  deref(): T | undefined;
}

export function weakRef<T extends object>(target: T): Deref<T> {
  return typeof WeakRef === "function" ? new WeakRef(target) : { deref: () => target };
}
