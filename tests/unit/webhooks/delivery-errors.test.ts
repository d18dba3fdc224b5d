import { describe, expect, it } from "vitest";
import { describeFailure, isTransientFailure } from "../../../app/webhooks/delivery-errors";

const withCode = (code: string, message = "failed") => Object.assign(new Error(message), { code });

describe("which failed applies Shopify should retry", () => {
  it("retries when the database is unreachable or gave up on the transaction", () => {
    for (const error of [
      withCode("ECONNREFUSED"),
      withCode("08006"),
      withCode("40001"),
      withCode("40P01"),
      withCode("53300"),
      withCode("57P01"),
      withCode("P1001"),
      withCode("P2034"),
      new Error("Connection terminated unexpectedly"),
      Object.assign(new Error("raw query failed"), { code: "P2010", meta: { driverAdapterError: { cause: { originalCode: "40P01" } } } }),
    ]) {
      expect(isTransientFailure(error), String((error as { code?: string }).code ?? error.message)).toBe(true);
    }
  });

  it("keeps for replay what the same payload would hit again", () => {
    for (const error of [withCode("22003"), withCode("23505"), withCode("22P02"), new TypeError("x is undefined"), withCode("P2002")]) {
      expect(isTransientFailure(error)).toBe(false);
    }
  });

  it("describes a failure by kind and code, never by its message", () => {
    expect(describeFailure(withCode("22P02", 'invalid input syntax for type numeric: "+34 612 000 111"'))).toBe("Error (22P02)");
    expect(describeFailure(new TypeError("cannot read ana@example.com"))).toBe("TypeError");
  });
});
