/** Runs a command-line entry point: known problems print one clear line, never a stack trace. */
import { ConfigError } from '../../config/index.ts';
import { AppError } from '../../errors.ts';
import { StartupError } from '../../startup-error.ts';

export async function runCli(main: () => Promise<void>): Promise<void> {
  // `… | head` closes the pipe early: the rest of the output has no reader, which is no error
  // (without a listener, Node crashes with an EPIPE stack trace). The command still finishes and cleans up.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.stderr.write(`Cannot write the output: ${err.message}\n`);
  });
  try {
    await main();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StartupError) {
      process.stderr.write(`${err.message}\n`);
    } else if (err instanceof AppError) {
      process.stderr.write(`Error (${err.code}): ${err.message}\n`);
    } else {
      process.stderr.write(`Unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
    process.exitCode = 1;
  }
}

/** Minimal `--flag value` parsing for our few CLI options. */
export function parseFlags(argv: string[]): { flags: Record<string, string>; positional: string[] } {
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (inline !== undefined) flags[k] = inline;
      else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) flags[k] = argv[++i]!;
      else flags[k] = 'true';
    } else positional.push(a);
  }
  return { flags, positional };
}
