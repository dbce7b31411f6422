import type { Logger } from '@so-connector/logger';
import type { SuperOfficeClient } from '@so-connector/superoffice-client';

export interface OwnAssociate {
  /** The API user's associate id: events it caused are the connector's own echoes. */
  current(): number;
  stop(): void;
}

/**
 * Learns the connector's own associate id at start-up from `User/currentPrincipal` (or takes
 * SO_OWN_ASSOCIATE_ID) and refreshes it periodically, in case the integration user is replaced.
 * Start-up fails when it cannot be learned: without it, echoes cannot be recognised.
 */
export async function learnOwnAssociate(options: {
  client: SuperOfficeClient;
  configured: number | undefined;
  refreshMs: number;
  logger: Logger;
}): Promise<OwnAssociate> {
  if (options.configured !== undefined) {
    options.logger.info('own associate id from SO_OWN_ASSOCIATE_ID', {
      associateId: options.configured,
    });
    return { current: () => options.configured!, stop: () => undefined };
  }
  let id = (await options.client.getCurrentPrincipal()).AssociateId;
  options.logger.info('own associate id learned from currentPrincipal', { associateId: id });
  const timer = setInterval(() => {
    options.client
      .getCurrentPrincipal({ fresh: true })
      .then((principal) => {
        if (principal.AssociateId !== id)
          options.logger.warn('the API user changed', { from: id, to: principal.AssociateId });
        id = principal.AssociateId;
      })
      .catch((error: unknown) =>
        options.logger.warn('could not refresh the own associate id; keeping the last one', {
          error: error instanceof Error ? error.message : String(error),
        }),
      );
  }, options.refreshMs);
  timer.unref();
  return { current: () => id, stop: () => clearInterval(timer) };
}
