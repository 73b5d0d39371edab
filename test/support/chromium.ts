import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Flags for a headless Debian Chromium in a sandboxless, offline CI machine. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** The `chromium` on PATH; throws (never skips) with what to install when there is none. */
export function findChromium(path: string = process.env.PATH ?? ''): string {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    for (const name of ['chromium', 'chromium-browser']) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here: keep looking
      }
    }
  }
  throw new Error(
    "chromium was not found on PATH: the browser tests need Debian's chromium (run `bash scripts/ensure-services.sh` or `apt-get install chromium`)",
  );
}

/** Launches Debian's Chromium headless through playwright-core (a fresh profile each launch). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, headless: true });
}
