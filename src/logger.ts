import pino, { type Logger } from 'pino';

/** Structured JSON logs; credentials are redacted wherever they might appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'claimgraph' },
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.password', '*.token', 'password', 'token'],
      censor: '[redacted]',
    },
  });
}
