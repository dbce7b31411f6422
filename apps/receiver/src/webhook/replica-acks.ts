import { Cluster, type Redis } from 'ioredis';
import { masterServing } from '@so-connector/queue';
import { withTimeout } from '../with-timeout';

export interface ReplicaAcksOptions {
  /** Replicas that must hold a write (REDIS_REPLICA_ACKS). */
  readonly replicas: number;
  /** How long one WAIT waits for them (REDIS_REPLICA_ACK_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** After a WAIT fell short, how long `confirm` refuses at once without asking; default `timeoutMs`. */
  readonly backoffMs?: number;
  /**
   * How long a WAIT may go unanswered before it counts as fallen short; default `timeoutMs` + 1 s.
   * Redis answers within `timeoutMs`, but the client may hold a command across a reconnect (a
   * failover) without ever settling it, and every later `confirm` waits for the one in flight.
   */
  readonly answerWithinMs?: number;
  /**
   * A key of the writes to confirm (the queue's, which carries QUEUE_PREFIX's hash tag). On a
   * Redis Cluster, WAIT goes to the master serving its slot: sent through the Cluster, a keyless
   * command goes to a random node, whose answer says nothing about the queue's writes.
   */
  readonly key?: string;
}

/** Fewer replicas acknowledged than required: the caller keeps the event elsewhere (the spool). */
export class ReplicasBehindError extends Error {
  override readonly name = 'ReplicasBehindError';
}

/**
 * Confirms that the replicas hold every write this connection made so far, with Redis `WAIT`,
 * group-committed: at most one WAIT is in flight, and every caller whose write finished before a
 * WAIT was sent shares its answer (WAIT covers all earlier writes of its connection). A caller
 * arriving while one is in flight waits for the next one, which is sent when it returns. Redis
 * runs nothing else of the connection while a WAIT blocks, so one per event would queue every
 * event behind the previous event's WAIT; this keeps the cost at one WAIT per round of events.
 *
 * After a WAIT falls short (no replica, or one too slow), `confirm` refuses at once for `backoffMs`
 * instead of sending more WAITs that would each block the connection for the whole timeout. A WAIT
 * that gets no answer at all within `answerWithinMs` falls short too, and the next one is sent
 * afresh: without that bound, one lost reply would hold up every later event (they all spool and
 * the spool never drains).
 */
export class ReplicaAcks {
  private inFlight: Promise<number> | undefined;
  private next: Promise<number> | undefined;
  private behindUntil = 0;
  /** Why the replicas count as behind until `behindUntil`: the answer (or silence) of the last WAIT. */
  private shortfall = '';

  constructor(
    private readonly redis: Pick<Redis, 'call'> | Cluster,
    private readonly options: ReplicaAcksOptions,
  ) {
    if (redis instanceof Cluster && options.key === undefined)
      throw new Error('ReplicaAcks on a Redis Cluster needs the key whose master holds the writes');
  }

  /**
   * The connection WAIT is sent on: the one the writes went through. On a Cluster that is the
   * cluster's own connection to the master of the key's slot (WAIT covers the writes of its
   * connection), looked up at each WAIT, so after a failover it is the promoted replica's.
   */
  private waitConnection(): Pick<Redis, 'call'> {
    if (!(this.redis instanceof Cluster)) return this.redis;
    const master = masterServing(this.redis, this.options.key!);
    if (!master)
      throw new ReplicasBehindError(
        `no master of the Redis Cluster serves the slot of ${this.options.key} now`,
      );
    return master;
  }

  /** Resolves once the replicas hold every write this connection finished before the call. */
  async confirm(): Promise<void> {
    const { replicas, timeoutMs } = this.options;
    if (replicas <= 0) return;
    // Behind a moment ago: refused with that WAIT's answer, without sending another.
    if (Date.now() < this.behindUntil) throw new ReplicasBehindError(this.shortfall);
    const acked = await this.nextWait();
    if (acked < replicas)
      throw this.fallBehind(
        `${acked} of ${replicas} Redis replica(s) acknowledged the event within ${timeoutMs} ms`,
      );
  }

  /** Starts the backoff: `confirm` refuses with `reason` until it ends. */
  private fallBehind(reason: string): ReplicasBehindError {
    this.behindUntil = Math.max(
      this.behindUntil,
      Date.now() + (this.options.backoffMs ?? this.options.timeoutMs),
    );
    this.shortfall = reason;
    return new ReplicasBehindError(reason);
  }

  /** A WAIT sent after now: the one in flight was maybe sent before the caller's write. */
  private nextWait(): Promise<number> {
    if (!this.inFlight) return this.send();
    this.next ??= this.inFlight
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.next = undefined;
        // The one before fell short: these callers are answered as it was, without a WAIT.
        if (Date.now() < this.behindUntil) throw new ReplicasBehindError(this.shortfall);
        return this.send();
      });
    return this.next;
  }

  private send(): Promise<number> {
    let sent: Promise<number>;
    try {
      sent = this.answered(
        this.waitConnection()
          .call('WAIT', this.options.replicas, this.options.timeoutMs)
          .then((reply) => Number(reply)),
      );
    } catch (error) {
      sent = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.inFlight = sent;
    const done = () => {
      if (this.inFlight === sent) this.inFlight = undefined;
    };
    sent.then(done, done);
    return sent;
  }

  /** `reply`, or ReplicasBehindError (and the backoff) once it has been unanswered too long. */
  private answered(reply: Promise<number>): Promise<number> {
    const { timeoutMs, answerWithinMs = timeoutMs + 1000 } = this.options;
    return withTimeout(reply, answerWithinMs, () =>
      this.fallBehind(`Redis did not answer WAIT within ${answerWithinMs} ms`),
    );
  }
}
