/** How much of a child process's output is kept, in characters: only its end says what went wrong. */
export const OUTPUT_TAIL = 64 * 1024;

/** Appends a chunk of a child's output (UTF-8) to what was kept and returns at most the last OUTPUT_TAIL characters. */
export function keepTail(kept: string, chunk: Buffer): string {
  return (kept + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
}
