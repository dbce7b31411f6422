import type { IncomingMessage } from 'node:http';
import { WebhookRejection } from '../http-errors';

/**
 * Reads a request body into one Buffer, refusing it (413) as soon as it grows past `limit`. The
 * receiver's hot path: a plain chunk collector measured faster than body-parser's raw() (see
 * bench/RESULTS.md), and compressed bodies are refused instead of inflated (SuperOffice sends none).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    return Promise.reject(
      new WebhookRejection(
        'unsupported_media_type',
        `Content-Encoding ${encoding} is not supported`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error: WebhookRejection | undefined) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('error', onError);
      if (error) {
        // The rest stays unread until the caller decides what becomes of it (discardBody).
        req.pause();
        reject(error);
      } else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit)
        finish(new WebhookRejection('too_large', 'body is larger than the 256 KiB limit'));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      const declared = req.headers['content-length'];
      if (declared !== undefined && Number(declared) !== size) {
        finish(new WebhookRejection('bad_request', 'body length does not match Content-Length'));
      } else finish(undefined);
    };
    const onAborted = () =>
      finish(
        new WebhookRejection('bad_request', 'request was aborted before the body was complete'),
      );
    const onError = () => finish(new WebhookRejection('bad_request', 'body could not be read'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('error', onError);
  });
}
