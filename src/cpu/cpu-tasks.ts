import type { MessagePort } from 'node:worker_threads';
import { DomainError } from '../shared/errors';
import { htmlToText as convertHtml } from '../modules/ingestion/html-to-text';
import { extractStatements, type ExtractedStatement } from '../modules/extraction';
import { anchorByPosition, CodePointText, reanchor, type Anchor, type ReanchorResult } from '../modules/anchoring/anchoring';

/**
 * The CPU-heavy steps of imports and revisions, run in the worker threads of cpu-pool.ts (never on
 * the event loop). Arguments and results cross threads by structured clone, so they are plain data;
 * a DomainError (a bad anchor, say) comes back as data and is thrown again on the main thread.
 */
export type TaskOutcome<T> = { ok: T } | { domainError: { code: string; message: string; details: Record<string, unknown> } };

function outcome<T>(work: () => T): TaskOutcome<T> {
  try {
    return { ok: work() };
  } catch (error) {
    if (error instanceof DomainError) return { domainError: { code: error.code, message: error.message, details: error.details } };
    throw error;
  }
}

/**
 * A job as it crosses to a thread: its input, and the port on which the thread says that it has
 * begun the job. The job's time limit counts from that message (see CpuPool.run), so neither the
 * wait for a free thread nor a fresh thread's start-up is charged to the job.
 */
export interface Job<A> {
  input: A;
  started: MessagePort;
}

/**
 * A thread's first run of each step is slow: linkedom and Readability load on first use, the
 * NLP model's first document, code not compiled yet. Each thread runs a small job of each kind as
 * it starts, before it begins any job of a client.
 */
const warm: Promise<void> = (async () => {
  const sample = 'The council approved a budget of $4.2 million on Tuesday, Mayor Ana Ruiz said. "We checked every figure," she added.';
  try {
    const { text } = await convertHtml(
      `<html><head><title>Warm-up</title></head><body><article><div><p>${sample}</p><p>${sample}</p></div></article></body></html>`,
    );
    const candidates = candidatesOf(text);
    if ('ok' in candidates)
      reanchorEach({ anchors: candidates.ok.map((candidate) => candidate.anchor), text: `Yesterday. ${text}`, previousTextLength: text.length });
  } catch {
    // a warm-up that fails only leaves the first real job slower; that job reports its own error
  }
})();

/** Waits for the warm-up, then tells the pool the job begins now. */
async function begin(job: Job<unknown>): Promise<void> {
  await warm;
  job.started.postMessage(null);
}

export interface ExtractedCandidate {
  statement: ExtractedStatement;
  anchor: Anchor;
}

export async function htmlToText(job: Job<string>): Promise<TaskOutcome<{ text: string; title: string | null }>> {
  await begin(job);
  try {
    return { ok: await convertHtml(job.input) };
  } catch (error) {
    return outcome(() => {
      throw error;
    });
  }
}

/** Candidate claims of a revision's body, each anchored on it (the body indexed once, not per claim). */
export async function extractCandidates(job: Job<string>): Promise<TaskOutcome<ExtractedCandidate[]>> {
  await begin(job);
  return candidatesOf(job.input);
}

function candidatesOf(body: string): TaskOutcome<ExtractedCandidate[]> {
  return outcome(() => {
    const text = new CodePointText(body);
    return extractStatements(body).map((statement) => ({ statement, anchor: anchorByPosition(text, statement.start, statement.end) }));
  });
}

export interface ReanchorTask {
  anchors: Anchor[];
  text: string;
  previousTextLength: number;
}

/** Each anchor placed on the new text, in order. */
export async function reanchorAll(job: Job<ReanchorTask>): Promise<TaskOutcome<ReanchorResult[]>> {
  await begin(job);
  return reanchorEach(job.input);
}

function reanchorEach(task: ReanchorTask): TaskOutcome<ReanchorResult[]> {
  return outcome(() => {
    const text = new CodePointText(task.text);
    return task.anchors.map((anchor) => reanchor(anchor, text, { previousTextLength: task.previousTextLength }));
  });
}

/** A job that does nothing: CpuPool.ready waits for a thread to have loaded this file and warmed up. */
export async function ping(): Promise<TaskOutcome<null>> {
  await warm;
  return { ok: null };
}
