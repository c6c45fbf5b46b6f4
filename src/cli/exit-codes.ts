// The exit statuses of `forkcast`, the ones a script may branch on. README's table is this one.
export const EXIT = {
  /** Done: the answer is on standard output (or, without --wait, the job was accepted). */
  ok: 0,
  /** Unexpected: a bug, or an answer from the server that breaks the API's contract (a 500). */
  unexpected: 1,
  /** Bad input: a usage error, an unreadable file, invalid JSON, a field the schema rejects (named on stderr), or the server's 4xx. */
  badInput: 2,
  /** With --fail-on-oom: a summary in the answer says OOM (`verdict.level` "oom", or `oom.atRisk`). */
  oom: 3,
  /** Server unavailable: no connection, no answer within --request-timeout, 429, 502, 503, 504. Retrying later may work. */
  unavailable: 4,
  /** The job finished without a result: failed or cancelled (its error on stderr). */
  jobFailed: 5,
  /** Not finished yet: --wait ran out, or `result` of a job still queued or running. */
  notFinished: 6,
} as const;
