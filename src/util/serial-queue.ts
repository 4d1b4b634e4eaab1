/** Runs async jobs one at a time, in the order they were queued; a job that fails does not stop the next. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Settles once every job queued so far has; never rejects. */
  idle(): Promise<unknown> {
    return this.tail;
  }
}
