import { CommanderError } from 'commander';
import { ERRORS, isMockError } from '../errors.ts';
import type { Io } from '../io.ts';
import { buildProgram } from './program.ts';

/** The bin's memory bounds for a `start` process (heap.ts), re-exported so the bin loads one module. */
export { boundOldGenerationGrowth, boundYoungGeneration } from './heap.ts';

/** Runs the CLI; resolves the exit code (0 ok, 1 failure, 2 usage). Never calls process.exit. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (error) {
    return exitCodeOf(error, io);
  }
}

/** The exit code of a failure: its code's row in the error catalogue (`ERRORS`), said on stderr; a usage error from commander is 2. */
function exitCodeOf(error: unknown, io: Io): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (!isMockError(error)) {
    io.stderr(`error: unexpected failure: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
  // A verification's report has said what failed; its summary line stands alone.
  io.stderr(error.code === 'ERR_VERIFICATION' ? `${error.message}\n` : `error: ${error.message}\n`);
  return ERRORS[error.code].exit;
}
