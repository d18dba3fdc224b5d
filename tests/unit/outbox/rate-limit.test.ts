import { describe, expect, it } from "vitest";
import { MAX_MPS, PhoneNumberLimiter, TokenBucket } from "../../../app/outbox/rate-limit";

describe("throughput per phone number", () => {
  it("allows a burst of one second's worth, then one token per 1/rate seconds", () => {
    let now = 0;
    const bucket = new TokenBucket(80, () => now);
    for (let i = 0; i < 80; i++) expect(bucket.tryTake()).toBe(0);
    expect(bucket.tryTake()).toBe(13); // 1/80 s, rounded up
    now += 12.5;
    expect(bucket.tryTake()).toBe(0);
    expect(bucket.tryTake()).toBeGreaterThan(0);
  });

  it("caps a configured rate at Meta's 1,000 messages per second", () => {
    expect(new TokenBucket(5000).perSecond).toBe(MAX_MPS);
    expect(new TokenBucket(0).perSecond).toBe(80);
  });

  it("keeps one bucket per phone number and rebuilds it when the rate changes", () => {
    const limiter = new PhoneNumberLimiter();
    const a = limiter.bucket("111", 80);
    expect(limiter.bucket("111", 80)).toBe(a);
    expect(limiter.bucket("222", 80)).not.toBe(a);
    expect(limiter.bucket("111", 250)).not.toBe(a);
  });
});
