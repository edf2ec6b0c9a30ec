import fs from 'node:fs';
import autocannon from 'autocannon';

/** One HTTP request the load generator sends. */
export interface BenchRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  /** Builds the next request (random ids from the data set). */
  next(): BenchRequest & { onDone?: (status: number, body: string) => void };
  /** Checked on every response; a false answer counts as a failed request. */
  verifyBody?: (body: string) => boolean;
}

export interface LoadResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  latencyMean: number;
  failures: number;
  bytesPerSecond: number;
}

/** A GraphQL result that carries `errors` starts with them (graphql-js puts errors before data). */
export const graphqlOk = (body: string): boolean => body.startsWith('{"data":') && !body.includes('"errors":[');

/** Runs autocannon for a bounded time with a fixed number of connections on loopback. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error('the benchmark only targets loopback');
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    verifyBody: options.verifyBody,
    requests: [
      {
        setupRequest: (request: Record<string, unknown>, context: Record<string, unknown>) => {
          const next = options.next();
          context.onDone = next.onDone;
          return {
            ...request,
            method: next.method,
            path: next.path,
            headers: { ...(request.headers as Record<string, string>), ...next.headers, ...(next.body ? { 'content-type': 'application/json' } : {}) },
            body: next.body ?? '',
          };
        },
        onResponse: (status: number, body: string, context: Record<string, unknown>) => {
          (context.onDone as ((status: number, body: string) => void) | undefined)?.(status, body);
        },
      },
    ],
  } as unknown as autocannon.Options);
  return {
    requests: result.requests.total,
    durationSeconds: result.duration,
    requestsPerSecond: result.requests.total / result.duration,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    latencyMean: result.latency.average,
    failures: result.errors + result.timeouts + result.non2xx + result.mismatches,
    bytesPerSecond: result.throughput.average,
  };
}

/** Samples a process's resident memory and CPU time from /proc while a scenario runs. */
export class ProcessSampler {
  private timer: NodeJS.Timeout | null = null;
  private peak = 0;

  constructor(private readonly pid: number) {}

  static rssBytes(pid: number): number {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const match = /VmRSS:\s+(\d+) kB/.exec(status);
      return match ? Number(match[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  /** User + system CPU seconds the process has used so far. */
  static cpuSeconds(pid: number): number {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux)
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return 0;
    }
  }

  /**
   * CPU seconds used so far by each process named `name` whose command line mentions `marker`
   * (the Postgres backends serving one database: their title names it), by pid; with `parent`,
   * only that process's children (one server's backends, when two Postgres servers on the machine
   * each have a database of that name).
   */
  static groupCpu(name: string, marker: string, parent?: number | null): Map<string, number> {
    const found = new Map<string, number>();
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (command !== name || !fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) continue;
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // field 4 of stat (fields[1] here): the parent's pid
        if (parent && Number(fields[1]) !== parent) continue;
        found.set(entry, (Number(fields[11]) + Number(fields[12])) / 100);
      } catch {
        // the process ended meanwhile
      }
    }
    return found;
  }

  /** The process and its children (a clustered server's workers, WEB_CONCURRENCY > 1). */
  static tree(pid: number): number[] {
    const pids = [pid];
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        // field 4 of stat: the parent's pid
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) pids.push(Number(entry));
      } catch {
        // the process ended meanwhile
      }
    }
    return pids;
  }

  /**
   * The node processes of a server: the process itself, and when it is a cluster primary
   * (WEB_CONCURRENCY > 1) its workers (the embedded Postgres it may have started is a child too).
   */
  static serverProcesses(pid: number): ServerProcess[] {
    const isNode = (child: number) => {
      try {
        return fs.readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'node';
      } catch {
        return false;
      }
    };
    const workers = ProcessSampler.tree(pid).slice(1).filter(isNode);
    return [{ pid, role: workers.length ? 'primary' : 'server' }, ...workers.map((worker) => ({ pid: worker, role: 'worker' as const }))];
  }

  private pids: number[] = [];
  private readonly cpuStarts = new Map<number, number>();
  private readonly peaks = new Map<number, number>();

  private rss(): number {
    let sum = 0;
    for (const pid of this.pids) {
      const rss = ProcessSampler.rssBytes(pid);
      this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, rss));
      sum += rss;
    }
    return sum;
  }

  start(): void {
    this.pids = ProcessSampler.tree(this.pid);
    for (const pid of this.pids) this.cpuStarts.set(pid, ProcessSampler.cpuSeconds(pid));
    this.peak = this.rss();
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, this.rss());
    }, 25);
  }

  /**
   * Peak RSS (summed over the process and its children), the CPU they used since start(), and the
   * peak RSS of each of the server's node processes on its own.
   */
  stop(): { peakRssBytes: number; cpuSeconds: number; processes: ProcessMemory[] } {
    if (this.timer) clearInterval(this.timer);
    this.peak = Math.max(this.peak, this.rss());
    let cpuSeconds = 0;
    for (const pid of this.pids) cpuSeconds += ProcessSampler.cpuSeconds(pid) - (this.cpuStarts.get(pid) ?? 0);
    const processes = ProcessSampler.serverProcesses(this.pid)
      .filter((process) => this.peaks.has(process.pid))
      .map((process) => ({ ...process, peakRssBytes: this.peaks.get(process.pid)! }));
    return { peakRssBytes: this.peak, cpuSeconds, processes };
  }
}

export interface ServerProcess {
  pid: number;
  /** `server`: one process serving alone; `primary`: a cluster's supervisor; `worker`: one of its servers. */
  role: 'server' | 'primary' | 'worker';
}

export interface ProcessMemory extends ServerProcess {
  peakRssBytes: number;
}

/** CPU used by a group of processes over a stretch of time, counting those that start or end within it. */
export class GroupCpuSampler {
  private first = new Map<string, number>();
  private last = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly name: string,
    private readonly marker: string,
    private readonly parent?: number | null,
  ) {}

  private sample(): void {
    for (const [pid, cpu] of ProcessSampler.groupCpu(this.name, this.marker, this.parent)) {
      if (!this.first.has(pid)) this.first.set(pid, this.timer ? 0 : cpu);
      this.last.set(pid, cpu);
    }
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 500);
  }

  /** CPU seconds used since start. */
  stop(): number {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    let total = 0;
    for (const [pid, cpu] of this.last) total += cpu - (this.first.get(pid) ?? 0);
    return total;
  }
}
