// Rewrites the command reference in docs/commands.md from the CLI's own --help, so the two cannot drift.
// Usage: npm run docs [-- --check]   (--check exits 1 when docs/commands.md is stale)
import { readFile, writeFile } from 'node:fs/promises';
import { main } from '../src/cli/main.ts';
import { buildProgram } from '../src/cli/program.ts';

/** The page whose `<!-- help:CMD -->` blocks hold the CLI's --help. */
export const COMMANDS_PAGE = new URL('../docs/commands.md', import.meta.url);
/** Every command of the CLI, as typed (`users add`): each must have its block on the page. */
function commands(): string[] {
  const program = buildProgram({ stdout: () => {}, stderr: () => {}, color: false, signal: new AbortController().signal });
  return program.commands.flatMap((command) =>
    command.commands.length === 0 ? [command.name()] : command.commands.map((sub) => `${command.name()} ${sub.name()}`),
  );
}

/** The --help text of one command, as the CLI prints it. */
export async function helpOf(command: string): Promise<string> {
  let out = '';
  await main([...command.split(' '), '--help'], { stdout: (s) => void (out += s), stderr: () => {}, color: false, signal: new AbortController().signal });
  return out.trimEnd();
}

/** The page's text with every `<!-- help:CMD -->…<!-- /help -->` block refreshed. */
export async function refreshed(text: string): Promise<string> {
  let result = text;
  for (const command of commands()) {
    const marker = new RegExp(`(<!-- help:${command} -->\\n)[\\s\\S]*?(<!-- /help -->)`);
    if (!marker.test(result)) throw new Error(`docs/commands.md has no <!-- help:${command} --> block`);
    const help = await helpOf(command);
    result = result.replace(marker, (_m, open: string, close: string) => `${open}\`\`\`text\n${help}\n\`\`\`\n${close}`);
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = await readFile(COMMANDS_PAGE, 'utf8');
  const next = await refreshed(text);
  if (process.argv.includes('--check')) {
    if (next !== text) {
      process.stderr.write('docs/commands.md is stale: run `npm run docs`\n');
      process.exitCode = 1;
    }
  } else if (next !== text) {
    await writeFile(COMMANDS_PAGE, next);
    process.stdout.write('docs/commands.md refreshed from --help\n');
  }
}
