/**
 * Throughput per WhatsApp phone number: Meta allows 80 messages per second by default and up to
 * 1,000 for upgraded numbers; past that it answers 130429. A token bucket per phone number id
 * keeps one process under the number's rate; send-budget.server.ts shares the rate between
 * processes.
 * https://developers.facebook.com/docs/whatsapp/cloud-api/overview#throughput
 */
export const DEFAULT_MPS = 80;
export const MAX_MPS = 1000;

/** A configured rate as Meta allows it: 1 to 1,000 per second, 80 when unset. */
export const clampRate = (perSecond: number) => Math.min(MAX_MPS, Math.max(1, Math.floor(perSecond) || DEFAULT_MPS));

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly rate: number;

  constructor(perSecond: number, private readonly now: () => number = () => performance.now()) {
    this.rate = clampRate(perSecond);
    this.tokens = this.rate;
    this.updatedAt = this.now();
  }

  get perSecond() {
    return this.rate;
  }

  private refill() {
    const t = this.now();
    this.tokens = Math.min(this.rate, this.tokens + ((t - this.updatedAt) / 1000) * this.rate);
    this.updatedAt = t;
  }

  /** Takes a token if one is there; otherwise says how many ms until one will be. */
  tryTake(): number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }

  async take(): Promise<void> {
    for (;;) {
      const wait = this.tryTake();
      if (wait === 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

export class PhoneNumberLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  bucket(phoneNumberId: string, perSecond: number): TokenBucket {
    let bucket = this.buckets.get(phoneNumberId);
    if (!bucket || bucket.perSecond !== clampRate(perSecond)) {
      bucket = new TokenBucket(perSecond);
      this.buckets.set(phoneNumberId, bucket);
    }
    return bucket;
  }
}
