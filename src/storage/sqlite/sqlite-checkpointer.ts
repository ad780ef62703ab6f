import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** What the checkpointer thread is given (workerData). */
interface CheckpointerData {
  /** Absolute path of the better-sqlite3 package, resolved here: the thread runs eval'd code. */
  driver: string;
  path: string;
  intervalMs: number;
  /** WAL size (frames) above which a RESTART checkpoint is tried, so the file starts over. */
  restartFrames: number;
}

/**
 * The thread's code. Eval'd CommonJS on purpose: the same string works from the sources (tsx),
 * the compiled build and the test bundle, none of which would resolve a separate entry file the
 * same way. It only checkpoints; it never writes rows.
 */
const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.path);
db.pragma('busy_timeout = 0');
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let stopping = false;
parentPort.on('message', () => { stopping = true; });
function pass() {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r.log > workerData.restartFrames && r.checkpointed === r.log) db.pragma('wal_checkpoint(RESTART)');
  } catch (err) {
    if (err.code !== 'SQLITE_BUSY' && err.code !== 'SQLITE_LOCKED') parentPort.postMessage({ error: String(err.message) });
  }
}
(function loop() {
  if (stopping) { pass(); db.close(); process.exit(0); }
  pass();
  Atomics.wait(sleeper, 0, 0, workerData.intervalMs);
  setImmediate(loop);
})();
`;

export interface Checkpointer {
  /** Run a last checkpoint and stop the thread. */
  stop(): Promise<void>;
}

/**
 * Moves SQLite's WAL checkpoints off the event loop. By default the connection that commits past
 * `wal_autocheckpoint` pages copies the WAL back into the database file and fsyncs it, inside
 * that commit: 10–40 ms during which no request is served. With this running, the serving
 * connection has autocheckpoint off and a thread with its own connection checkpoints every
 * `intervalMs`. A PASSIVE checkpoint never takes the write lock, so commits go on meanwhile;
 * readers only search the WAL frames not yet copied, so it stays cheap for them too. When the
 * WAL has grown past `restartFrames` and everything in it is copied, a RESTART lets the next
 * commit write from the start of the file again (it fails at once, and is retried next time,
 * if a commit is in progress).
 */
export function startCheckpointer(
  path: string,
  opts: {
    intervalMs?: number;
    restartFrames?: number;
    /** A checkpoint failed (the thread goes on). */
    onError?: (message: string) => void;
    /** The thread is gone (it could not open the database, or crashed): checkpoint elsewhere. */
    onStopped?: (message: string) => void;
  } = {},
): Checkpointer {
  const data: CheckpointerData = {
    driver: createRequire(import.meta.url).resolve('better-sqlite3'),
    path,
    intervalMs: opts.intervalMs ?? 50,
    restartFrames: opts.restartFrames ?? 4_096,
  };
  const thread = new Worker(THREAD_CODE, { eval: true, workerData: data });
  thread.unref();
  let stopping = false;
  let failure = 'the checkpoint thread exited';
  const exited = new Promise<void>((resolve) =>
    thread.once('exit', () => {
      if (!stopping) opts.onStopped?.(failure);
      resolve();
    }),
  );
  thread.on('message', (m: { error?: string }) => {
    if (m.error) opts.onError?.(m.error);
  });
  thread.on('error', (err) => {
    failure = `the checkpoint thread failed: ${err.message}`;
  });
  return {
    async stop() {
      stopping = true;
      thread.postMessage('stop');
      await exited;
    },
  };
}
