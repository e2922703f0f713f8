/**
 * The deadlines of the calls in flight, behind one timer instead of one `setTimeout` per call. Every call
 * gets the same timeout, so deadlines come in the order calls start: a FIFO list is already sorted by
 * deadline, and the one timer only ever waits for the list's head. One connection answers in order, so a
 * settled call is almost always the head and leaves the list at once; the list stays as short as the
 * number of calls in flight.
 */

/** A call as the queue sees it; `expire` fails it with a timeout (and may release it: a no-op by then). */
export interface Deadline {
  deadline: number;
  settled: boolean;
  next: Deadline | undefined;
  expire(): void;
}

/** Milliseconds on a monotonic clock: wall-clock jumps neither expire calls early nor keep them alive. */
export const monotonicNow = (): number => performance.now();

export class DeadlineQueue {
  readonly #timeoutMs: number;
  #head: Deadline | undefined;
  #tail: Deadline | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Whether the timer keeps the process alive: exactly while a call is pending, like a timer per call. */
  #refed = false;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Starts the clock of a call that has not settled: it expires `timeoutMs` from now unless released first. */
  add(entry: Deadline): void {
    entry.deadline = monotonicNow() + this.#timeoutMs;
    if (this.#tail === undefined) {
      this.#head = entry;
      // The armed timer (if any) fires at an earlier call's deadline, never after this one's.
      if (this.#timer === undefined) this.#arm(this.#timeoutMs);
      else if (!this.#refed) {
        this.#timer.ref();
        this.#refed = true;
      }
    } else this.#tail.next = entry;
    this.#tail = entry;
  }

  /** Called once an entry has settled: drops the settled calls at the head. */
  release(entry: Deadline): void {
    if (entry !== this.#head) return;
    let head: Deadline | undefined = entry;
    while (head?.settled) {
      const next: Deadline | undefined = head.next;
      head.next = undefined;
      head = next;
    }
    this.#head = head;
    if (head === undefined) this.#idle();
  }

  /** Nothing pending: the timer stays armed for later calls but no longer holds the process open. */
  #idle(): void {
    this.#tail = undefined;
    if (this.#refed) {
      this.#timer?.unref();
      this.#refed = false;
    }
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(this.#sweep, Math.max(1, Math.ceil(ms)));
    this.#refed = true;
  }

  /** Expires every call whose deadline has come, then waits for the next one. */
  readonly #sweep = (): void => {
    this.#timer = undefined;
    this.#refed = false;
    const now = monotonicNow();
    let head = this.#head;
    while (head !== undefined && (head.settled || head.deadline <= now)) {
      const entry = head;
      head = entry.next;
      entry.next = undefined;
      this.#head = head;
      if (!entry.settled) entry.expire();
    }
    if (head === undefined) this.#idle();
    else this.#arm(head.deadline - now);
  };

  /** Stops the timer once nothing is pending (after the connection closed). */
  stop(): void {
    if (this.#head !== undefined || this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#refed = false;
  }
}
