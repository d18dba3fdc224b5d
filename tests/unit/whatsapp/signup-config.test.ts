import { describe, expect, it } from "vitest";
import { InvalidEnvironment, parseEnv } from "../../../app/env.server";

const base = { SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://app.example" };

describe("Embedded Signup configuration from the environment", () => {
  it("defaults to Meta's SDK and Meta's popup origins", () => {
    const env = parseEnv(base);
    expect(env.WHATSAPP_SDK_URL).toBe("https://connect.facebook.net/en_US/sdk.js");
    expect(env.WHATSAPP_SIGNUP_ORIGINS).toEqual(["https://www.facebook.com", "https://web.facebook.com"]);
    expect(env.WHATSAPP_SIGNUP_CONFIG_ID).toBeUndefined();
  });

  it("reads a local stand-in's SDK and origin, reduced to origins", () => {
    const env = parseEnv({ ...base, WHATSAPP_SDK_URL: "http://127.0.0.1:4000/en_US/sdk.js", WHATSAPP_SIGNUP_ORIGINS: " http://127.0.0.1:4000/ , https://www.facebook.com" });
    expect(env.WHATSAPP_SDK_URL).toBe("http://127.0.0.1:4000/en_US/sdk.js");
    expect(env.WHATSAPP_SIGNUP_ORIGINS).toEqual(["http://127.0.0.1:4000", "https://www.facebook.com"]);
  });

  it("refuses a configuration id that is not numeric and an origin that is not a URL", () => {
    expect(() => parseEnv({ ...base, WHATSAPP_SIGNUP_CONFIG_ID: "abc" })).toThrow(InvalidEnvironment);
    expect(() => parseEnv({ ...base, WHATSAPP_SIGNUP_ORIGINS: "facebook" })).toThrow(/WHATSAPP_SIGNUP_ORIGINS/);
  });
});
