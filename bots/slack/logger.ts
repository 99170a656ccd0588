/**
 * Bolt's logger interface over Patchbay's pino logger. Bolt's and the Web API client's debug
 * lines are dropped: they print request bodies and acknowledgements (which can hold modal
 * values — secrets); info and above are kept, scrubbed by pino's redaction and `scrubText`.
 */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { scrubText, type Logger } from '../../src/logger.ts';

const text = (msgs: unknown[]) => scrubText(msgs.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' '));

export function boltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ component: 'slack-bolt' });
  let level: LogLevel = LogLevel.INFO;
  return {
    debug: () => {},
    info: (...msgs: unknown[]) => log.info(text(msgs)),
    warn: (...msgs: unknown[]) => log.warn(text(msgs)),
    error: (...msgs: unknown[]) => log.error(text(msgs)),
    // Bolt may ask for DEBUG; only the reported level changes, debug output stays off.
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
