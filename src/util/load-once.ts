/**
 * A module (or anything else asynchronous) loaded on first use: every caller shares one load, and a
 * load that failed (a module missing from a broken install) is tried again by the next caller.
 */
export interface LoadOnce<T> {
  /** The load under way or done, started now if it was not. */
  get(): Promise<T>;
  /** The load under way or done, if one was started (and has not failed). */
  peek(): Promise<T> | undefined;
}

export function loadOnce<T>(load: () => Promise<T>): LoadOnce<T> {
  let current: Promise<T> | undefined;
  return {
    get() {
      if (!current) {
        const loading = load();
        loading.catch(() => {
          if (current === loading) current = undefined;
        });
        current = loading;
      }
      return current;
    },
    peek: () => current,
  };
}
