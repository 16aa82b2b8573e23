/**
 * Resolves or rejects as `p` does, or rejects with "no answer within {ms} ms" first. `p` itself goes
 * on: only the waiting stops.
 * @example await withTimeout(db.ping(), 2000);
 */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
