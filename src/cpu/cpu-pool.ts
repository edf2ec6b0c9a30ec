import os from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { DomainError, ErrorCode } from '../shared/errors';
import type { ReanchorResult } from '../modules/anchoring/anchoring';
import type { ExtractedCandidate, ReanchorTask, TaskOutcome } from './cpu-tasks';

export interface CpuPoolOptions {
  /** Most worker threads at once (CPU_POOL_THREADS). */
  threads: number;
  /** A job still unfinished this long after its thread began it is ended (CPU_TASK_TIMEOUT_MS). */
  taskTimeoutMs: number;
}

export const DEFAULT_CPU_POOL_OPTIONS: CpuPoolOptions = {
  threads: os.availableParallelism(),
  // far above what a document within the size limits needs (bench/README.md, import scenario)
  taskTimeoutMs: 20_000,
};

let defaultPool: CpuPool | null = null;

/** The pool of code that runs without the server's or the CLI's configuration (made on first use). */
export function defaultCpuPool(): CpuPool {
  defaultPool ??= new CpuPool(DEFAULT_CPU_POOL_OPTIONS);
  return defaultPool;
}

/** What a job the pool ended was doing, for the client's error message. */
const JOB_NAMES: Record<string, string> = {
  htmlToText: 'Reducing the HTML to text',
  extractCandidates: 'Finding the claims in the text',
  reanchorAll: 'Re-anchoring the claims on the new text',
};

/**
 * Worker threads (piscina) for the CPU-heavy steps of imports and revisions: HTML to text,
 * extraction, re-anchoring. On the event loop one pathological document stalled every request of
 * every tenant; here it costs one thread, and a job past its time limit is ended — its thread is
 * terminated, whatever it was doing — and its request fails with PAYLOAD_TOO_COMPLEX before
 * anything is written. The pool starts on first use, so processes that never import pay nothing.
 */
export class CpuPool {
  private pool: Piscina | null = null;
  private started: Promise<unknown> | null = null;

  constructor(private readonly options: CpuPoolOptions) {}

  htmlToText(html: string): Promise<{ text: string; title: string | null }> {
    return this.run('htmlToText', html);
  }

  extractCandidates(body: string): Promise<ExtractedCandidate[]> {
    return this.run('extractCandidates', body);
  }

  reanchorAll(task: ReanchorTask): Promise<ReanchorResult[]> {
    return this.run('reanchorAll', task);
  }

  /** Starts the threads (loading the tasks' code) and resolves once one has warmed up and is ready for a job. */
  ready(): Promise<unknown> {
    this.started ??= this.threads().run(null, { name: 'ping' });
    return this.started;
  }

  private threads(): Piscina {
    this.pool ??= new Piscina({
      // compiled (npm start runs dist/, built by esbuild) the tasks load as they are; from
      // TypeScript sources (tsx, vitest) through tsx in the worker
      filename: __filename.endsWith('.js') ? path.join(__dirname, 'cpu-tasks.js') : path.join(__dirname, 'cpu-worker.cjs'),
      minThreads: 1,
      maxThreads: this.options.threads,
      idleTimeout: 30_000,
      // below the event loop's priority (through @napi-rs/nice): when cores are scarce, requests
      // waiting on the main thread go before a long import
      niceIncrement: 10,
    });
    return this.pool;
  }

  async destroy(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    this.started = null;
    await pool?.destroy();
  }

  /**
   * The time limit counts from the moment the job's thread begins it (the thread says so on a
   * port of the job's own), not from submission: waiting for a free thread, or for a fresh one to
   * load the tasks' code and the NLP model and warm up (seconds on a loaded machine), is not the
   * job's doing, and charging it made small jobs fail right after a thread had been ended.
   */
  private async run<T>(name: string, input: unknown): Promise<T> {
    const limit = this.options.taskTimeoutMs;
    const controller = new AbortController();
    const { port1, port2 } = new MessageChannel();
    let timer: NodeJS.Timeout | undefined;
    port1.once('message', () => {
      port1.close();
      timer = setTimeout(() => controller.abort(), limit);
    });
    let outcome: TaskOutcome<T>;
    try {
      outcome = await this.threads().run({ input, started: port2 }, { name, signal: controller.signal, transferList: [port2] });
    } catch (error) {
      const code = (error as { code?: string }).code;
      // past its limit the job's thread was ended (piscina terminates it, and starts a fresh one)
      if (controller.signal.aborted || code === 'ERR_WORKER_OUT_OF_MEMORY') {
        throw new DomainError(
          ErrorCode.PAYLOAD_TOO_COMPLEX,
          `${JOB_NAMES[name] ?? 'Processing the input'} took longer than the server allows (${limit} ms); nothing was saved. Simplify or shorten the document.`,
          { limit },
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
      port1.close();
    }
    if ('domainError' in outcome) {
      const { code, message, details } = outcome.domainError;
      throw new DomainError(code as ErrorCode, message, details);
    }
    return outcome.ok;
  }
}
