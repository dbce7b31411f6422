import type { IncomingMessage } from 'node:http';

/**
 * Reads and throws away what is left of a refused request's body, at most `limit` bytes, so that
 * the answer is written after it. Closing a socket whose received bytes were never read resets it
 * (RST), and the client loses an answer it had not read yet: a sender still writing a refused
 * 700 KB body saw "connection reset" instead of the 413. Resolves true once the body has ended
 * (the connection can carry the next request), false when it is larger than `limit` or the
 * connection went away (the caller closes it after answering). A body that trickles is cut by the
 * server's request timeout like any other.
 */
export function discardBody(req: IncomingMessage, limit: number): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  const declared = Number(req.headers['content-length']);
  if ((Number.isFinite(declared) && declared > limit) || req.destroyed) {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    let size = 0;
    const finish = (ended: boolean) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onGone);
      req.off('error', onGone);
      if (!ended) req.pause();
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(false);
    };
    const onEnd = () => finish(true);
    const onGone = () => finish(false);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onGone);
    req.on('error', onGone);
    req.resume();
  });
}
