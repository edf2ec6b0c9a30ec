import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createContext } from '../src/shared/context';

describe('the request context', () => {
  it("makes the request's child logger on first use, not when Apollo copies the context", () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    let children = 0;
    const child = log.child.bind(log);
    log.child = ((...args: Parameters<typeof log.child>) => {
      children++;
      return child(...args);
    }) as typeof log.child;
    const context = createContext({ dataSource: {} as DataSource, log, config: { sessionTtlHours: 1 } }, null, 'request-1');
    // what Apollo's internalExecuteOperation does with the context value
    const copy = Object.assign(Object.create(Object.getPrototypeOf(context)), context) as typeof context;
    expect(children).toBe(0);
    copy.log.info('first');
    copy.log.info('second');
    expect(children).toBe(1);
    expect(lines.map((line) => [line.msg, line.requestId])).toEqual([
      ['first', 'request-1'],
      ['second', 'request-1'],
    ]);
    expect(copy.db).toBe(context.db);
  });
});
