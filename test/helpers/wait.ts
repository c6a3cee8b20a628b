/** Waiting for something a test cannot be told about (a file appearing, a server's counter). */

/** Resolves once `check` holds, polling every 10 ms; fails after `ms`. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
