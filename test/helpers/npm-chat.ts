/** Runs npm scripts as users do (`npm run -s <script> -- …`), e.g. the terminal client against a test database. */
import { spawn } from 'node:child_process';
import { TEST_ENCRYPTION_KEY } from './app.ts';

export type ChatRun = { code: number | null; stdout: string; stderr: string };

/** `npm run -s <script> -- <args>` with exactly `env` (callers start from process.env and drop what must not leak in). */
export function npmScript(script: string, args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<ChatRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', script, '--', ...args], { cwd: process.cwd(), env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

export function npmChat(dbUrl: string, args: string[], input = '', env: Record<string, string> = {}): Promise<ChatRun> {
  return npmScript('chat', args, { ...process.env, NODE_ENV: 'development', DATABASE_URL: dbUrl, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LOG_LEVEL: 'info', ...env }, input);
}
