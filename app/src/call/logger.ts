/** Named loggers, quiet by default; a page or test passes a sink to hear them. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (level: LogLevel, name: string, message: string) => void;

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(name: string): Logger;
}

export function createLogger(name: string, sink?: LogSink): Logger {
  const emit = (level: LogLevel) => (message: string) => sink?.(level, name, message);
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (child) => createLogger(`${name}:${child}`, sink),
  };
}
