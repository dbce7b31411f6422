import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import { storePrefixOf, type StorePrefix } from './key-prefix';

const webhookStatusSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  state: z.string(),
  targetUrl: z.string(),
  events: z.array(z.string()),
  /** SuperOffice's last delivery error, when the webhook was not Active. */
  lastError: z.string().optional(),
  /**
   * The watchdog left the parked webhook as it was: its TargetUrl did not answer SuperOffice's
   * test ping, so re-activating it would only get it parked again. `since` is the first such
   * check in a row, `checks` how many. (Optional: reports written before it still parse.)
   */
  reactivationHeld: z
    .object({
      at: z.string(),
      since: z.string(),
      checks: z.number().int().positive(),
      reason: z.string(),
    })
    .optional(),
});

/** What the webhook watchdog saw at its last check; read by the dashboard and `doctor`. */
export const webhookHealthSchema = z.object({
  tenant: z.string(),
  checkedAt: z.string(),
  /** The last check that found every connector webhook Active (ISO); reconciliation starts here. */
  lastHealthyAt: z.string().optional(),
  webhooks: z.array(webhookStatusSchema),
  /** The check could not read the webhooks (SuperOffice down, auth): the error. */
  checkError: z.string().optional(),
  /** Re-activations since the counter was created. */
  alerts: z.number().int().nonnegative(),
  lastAlert: z
    .object({ at: z.string(), webhookId: z.number().int(), state: z.string(), error: z.string() })
    .optional(),
});

export type WebhookHealth = z.output<typeof webhookHealthSchema>;
export type WebhookStatus = z.output<typeof webhookStatusSchema>;

/** The latest watchdog report per tenant (one small JSON value in Redis). */
export class WebhookHealthStore {
  constructor(
    private readonly options: { readonly redis: Redis | Cluster; readonly prefix: StorePrefix },
  ) {}

  private key(tenant: string): string {
    return `${storePrefixOf(this.options.prefix, tenant)}:webhook-health:${tenant}`;
  }

  async read(tenant: string): Promise<WebhookHealth | undefined> {
    const raw = await this.options.redis.get(this.key(tenant));
    if (raw === null) return undefined;
    const parsed = webhookHealthSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  async write(health: WebhookHealth): Promise<void> {
    await this.options.redis.set(
      this.key(health.tenant),
      JSON.stringify(webhookHealthSchema.parse(health)),
    );
  }
}
