/** A hard deadline around a store request, and a short readable reason when it fails. */

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`store did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Errors are read by shape, not class: the store client may live in another realm. */
export function describeStoreError(error: unknown, timeoutMs: number): string {
  const { name, message } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown };
  // The client's own abort signal usually fires first; say what it means.
  if (name === 'TimeoutError' || name === 'AbortError') return `store did not answer within ${timeoutMs} ms`;
  const text = typeof message === 'string' ? `${typeof name === 'string' && name !== 'Error' ? `${name}: ` : ''}${message}` : String(error);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
