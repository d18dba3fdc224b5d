import { describe, expect, it } from "vitest";
import { assertLosslessJson, parseShopifyJson } from "../../../app/webhooks/shopify-json";

describe("parseShopifyJson", () => {
  it("keeps integers above 2^53 as their exact digits and leaves every other value as JSON.parse reads it", () => {
    const text = '{"id":704912205188288575,"n":-9007199254740993,"small":12,"price":19.99,"big":1e21,"s":"704912205188288575","list":[788032119674292922,null,true]}';
    expect(parseShopifyJson(text)).toEqual({
      id: "704912205188288575",
      n: "-9007199254740993",
      small: 12,
      price: 19.99,
      big: 1e21,
      s: "704912205188288575",
      list: ["788032119674292922", null, true],
    });
    // What a plain JSON.parse makes of the same id.
    expect(String((JSON.parse(text) as { id: number }).id)).not.toBe("704912205188288575");
  });

  it("reads a body without 16-digit runs exactly as JSON.parse does", () => {
    const text = '{"id":9007199254740991,"location_id":24826418,"price":"19.99","n":-1,"f":0.1}';
    expect(parseShopifyJson(text)).toEqual(JSON.parse(text));
  });

  it("still throws on a body that is not JSON", () => {
    expect(() => parseShopifyJson("{not json")).toThrow(SyntaxError);
  });

  it("passes the start-up check on this runtime (Node 22 gives revivers the source text)", () => {
    expect(() => assertLosslessJson()).not.toThrow();
  });
});
