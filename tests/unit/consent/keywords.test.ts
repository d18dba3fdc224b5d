import { describe, expect, it } from "vitest";
import { CONFIRM_PAYLOAD, STOP_PAYLOAD, classifyReply, normaliseReply } from "../../../app/consent/keywords";

describe("classifyReply", () => {
  it.each(["STOP", "stop", " Stop ", "ALTO", "parar", "BERHENTI", "Stopp", "ARRÊT", "arret!", "STOP PROMOTIONS", "unsubscribe", "baja", "Sair", "stop\u00a0promotions"])(
    "%j is a stop",
    (text) => expect(classifyReply({ text })).toBe("stop"),
  );

  it("reads the quick-reply button by payload or label", () => {
    expect(classifyReply({ buttonPayload: STOP_PAYLOAD })).toBe("stop");
    expect(classifyReply({ buttonText: "Stop promotions", buttonPayload: "anything" })).toBe("stop");
    expect(classifyReply({ buttonPayload: CONFIRM_PAYLOAD })).toBe("confirm");
  });

  it.each(["START", "Iniciar", "mulai", "COMEÇAR", "démarrer"])("%j is a start", (text) => expect(classifyReply({ text })).toBe("start"));

  it.each(["Please stop sending me these", "stop it, when does my order arrive?", "hola", "", "STOPPED"])("%j is not a command", (text) =>
    expect(classifyReply({ text })).toBe("none"),
  );

  it("normalises accents, case, punctuation and spacing", () => {
    expect(normaliseReply("  arrêt  promotions!! ")).toBe("ARRET PROMOTIONS");
  });
});
