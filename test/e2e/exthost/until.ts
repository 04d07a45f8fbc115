/** Polls `fn` every 50 ms until it gives a value (not undefined, null or false); throws naming `what` after `timeout`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeout = 20_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
