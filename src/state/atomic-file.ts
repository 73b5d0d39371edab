/**
 * Replacing a file whole, crash-safe: the new content goes to `<file>.<pid>.tmp`, is fsynced, and is renamed over
 * the file (atomic), then the directory is fsynced so the rename survives a power cut. A crash leaves either the old
 * file or the new one, never half of either; the temp files such a crash leaves are removed at the next start.
 */

import { type FileHandle, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Replaces `path` with `text` (UTF-8, mode 0600) as above; rejects with the file system's error when it cannot. */
export async function replaceFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const out = await open(tmp, 'w', 0o600);
  try {
    await out.writeFile(text, 'utf8');
    await out.sync();
  } finally {
    await out.close();
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
}

/** Fsyncs a directory, so a rename in it survives a power cut. */
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Removes the temp files of a replaceFile(path) that a crash interrupted: the rename never happened, so they hold nothing needed. Never rejects. */
export async function removeStaleTemps(path: string): Promise<void> {
  const name = basename(path);
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\d+\\.tmp$`);
  const dir = dirname(path);
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(entries.filter((entry) => pattern.test(entry)).map((entry) => unlink(join(dir, entry)).catch(() => {})));
}
