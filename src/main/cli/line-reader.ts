/**
 * Reads lines one at a time, typed or piped (lines that arrive while a command runs are queued,
 * not lost). On a terminal the prompt is shown as usual and a secret's keystrokes are hidden.
 * Piped, the prompt is written when its line arrives, followed by the line (never a secret's)
 * and a newline, so the transcript reads like a session rather than prompts run together.
 */
import { createInterface } from 'node:readline';

export type LineReader = { read(prompt: string, secret?: boolean): Promise<string | null>; close(): void };

export function lineReader(): LineReader {
  const tty = Boolean(process.stdin.isTTY);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty });
  const internal = rl as unknown as { _writeToOutput(s: string): void };
  const original = internal._writeToOutput.bind(rl);
  const queue: string[] = [];
  const waiting: Array<(line: string | null) => void> = [];
  let closed = false;
  rl.on('line', (line) => {
    internal._writeToOutput = original;
    const next = waiting.shift();
    if (next) next(line);
    else queue.push(line);
  });
  rl.on('close', () => {
    closed = true;
    for (const w of waiting.splice(0)) w(null);
  });
  const transcript = (prompt: string, secret: boolean) => (line: string | null) => {
    if (line !== null) process.stdout.write(`${prompt}${secret ? '' : line}\n`);
    return line;
  };
  return {
    async read(prompt, secret = false) {
      if (!tty) {
        const echo = transcript(prompt, secret);
        if (queue.length) return echo(queue.shift()!);
        if (closed) return null;
        return echo(await new Promise<string | null>((resolve) => waiting.push(resolve)));
      }
      if (queue.length) {
        process.stdout.write(`${prompt}\n`); // typed ahead: readline has echoed it already
        return queue.shift()!;
      }
      if (closed) return null;
      if (secret) {
        process.stdout.write(prompt);
        internal._writeToOutput = (s: string) => {
          if (s.includes('\n') || s.includes('\r')) process.stdout.write('\n');
        };
      } else {
        rl.setPrompt(prompt);
        rl.prompt();
      }
      return await new Promise<string | null>((resolve) => waiting.push(resolve));
    },
    close: () => rl.close(),
  };
}
