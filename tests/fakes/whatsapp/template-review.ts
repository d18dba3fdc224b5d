import { randomBytes } from "node:crypto";
import { holds, type GraphAnswer } from "./business-management";
import type { FakeNumber, FakeTemplate, GraphRequest } from "./server";

/**
 * Template creation, editing and review in the fake Cloud API, as Meta documents them:
 *   POST /{version}/{waba-id}/message_templates  {name, language, category, components, parameter_format?}
 *     -> {id, status: "PENDING", category}
 *   POST /{version}/{template-id}                {components} -> {success: true}
 * It refuses what Meta refuses (a bad name, category or language; body variables that are not
 * 1..n, lack examples or start or end the body; button rules; a name and language the account
 * already has: Graph error 100, subcode 2388024), stores the template PENDING and, after a delay,
 * reviews it: approved, or rejected with the reason a test set, then delivers the signed
 * `message_template_status_update` webhook. Tests can also push `message_template_quality_update`.
 * https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates
 * https://developers.facebook.com/docs/whatsapp/business-management-api/webhooks/components
 */
export interface ReviewHost {
  templates: Record<string, FakeTemplate[]>;
  numbers: FakeNumber[];
  envelope(wabaId: string, field: string, value: Record<string, unknown>): unknown;
  deliver(payload: unknown): Promise<Response>;
}

export interface Submission {
  wabaId: string;
  name: string;
  language: string;
  category: string;
  kind: "create" | "edit";
  outcome: "accepted" | "refused";
  error?: string;
}

/** Language codes Meta takes for templates (a subset of its list). */
const LANGUAGES = new Set(["en", "en_US", "en_GB", "es", "es_ES", "es_MX", "es_AR", "de", "fr", "it", "pt_BR", "pt_PT", "nl", "id", "pl", "sv", "da", "nb", "fi", "tr", "ja", "ko", "zh_CN"]);
const CATEGORIES = new Set(["MARKETING", "UTILITY", "AUTHENTICATION"]);
const EDITABLE = new Set(["APPROVED", "REJECTED", "PAUSED"]);

const fbtrace = () => randomBytes(8).toString("base64url");
function invalid(userMessage: string, subcode = 2388043): GraphAnswer {
  return {
    status: 400,
    body: {
      error: { message: "Invalid parameter", type: "OAuthException", code: 100, error_subcode: subcode, is_transient: false, error_user_title: "Invalid parameter", error_user_msg: userMessage, fbtrace_id: fbtrace() },
    },
  };
}
const badToken = (): GraphAnswer => ({ status: 401, body: { error: { message: "Invalid OAuth access token", type: "OAuthException", code: 190, fbtrace_id: fbtrace() } } });

const variables = (text: string) => [...text.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1]));

/** Meta's checks of a template's components; the problem in Meta's words, or null. */
export function checkComponents(components: unknown): string | null {
  if (!Array.isArray(components) || components.length === 0) return "components are required";
  const list = components as Array<Record<string, unknown>>;
  const bodies = list.filter((c) => String(c.type).toUpperCase() === "BODY");
  if (bodies.length !== 1) return "A template needs exactly one BODY component";
  const text = String(bodies[0].text ?? "");
  if (!text.trim() || text.length > 1024) return "The body text must have 1 to 1024 characters";
  const numbers = variables(text);
  const distinct = [...new Set(numbers)].sort((a, b) => a - b);
  if (distinct.some((n, i) => n !== i + 1)) return "Variables must be numbered {{1}}, {{2}}, ... without gaps";
  if (/^\s*\{\{\s*\d+\s*\}\}/.test(text) || /\{\{\s*\d+\s*\}\}\s*$/.test(text)) return "Variables can't be at the start or end of the template";
  if (distinct.length > 0) {
    const examples = (bodies[0].example as { body_text?: unknown } | undefined)?.body_text;
    const row = Array.isArray(examples) ? examples[0] : undefined;
    if (!Array.isArray(row) || row.length !== distinct.length || row.some((v) => typeof v !== "string" || !v)) {
      return `The body has ${distinct.length} variables; give one example value for each in example.body_text`;
    }
  }
  const buttonGroups = list.filter((c) => String(c.type).toUpperCase() === "BUTTONS");
  if (buttonGroups.length > 1) return "A template has at most one BUTTONS component";
  const buttons = (buttonGroups[0]?.buttons ?? []) as Array<Record<string, unknown>>;
  if (buttons.length > 10) return "A template has at most 10 buttons";
  for (const button of buttons) {
    const label = String(button.text ?? "");
    if (!label || label.length > 25) return "Button text must have 1 to 25 characters";
    if (button.type === "URL") {
      const url = String(button.url ?? "");
      if (!/^https?:\/\/\S+$/.test(url)) return "A URL button needs a valid URL";
      const vars = variables(url);
      if (vars.length > 1 || (vars.length === 1 && !/\{\{1\}\}$/.test(url))) return "A URL button may end with one variable, {{1}}";
      const example = button.example;
      if (vars.length === 1 && (!Array.isArray(example) || typeof example[0] !== "string")) return "A URL button with a variable needs an example URL";
    } else if (button.type !== "QUICK_REPLY" && button.type !== "PHONE_NUMBER") {
      return `Unsupported button type ${String(button.type)}`;
    }
  }
  return null;
}

export class TemplateReview {
  /** Before Meta's review answers; null holds reviews until review() is called */
  reviewDelayMs: number | null = 30;
  readonly submissions: Submission[] = [];
  private readonly rules = new Map<string, string>();
  private readonly waiting = new Set<Promise<unknown>>();
  private nextId = 7_100_000_000_000_000;

  constructor(private readonly host: ReviewHost) {}

  /** Reviews of this name (in any language, or in one) reject with Meta's reason. */
  rejectTemplates(name: string, reason = "INVALID_FORMAT", language?: string) {
    this.rules.set(language ? `${name}|${language}` : name, reason);
  }

  approveTemplates(name: string, language?: string) {
    this.rules.delete(language ? `${name}|${language}` : name);
  }

  /** Waits for the reviews already scheduled and their webhooks. */
  async settled() {
    while (this.waiting.size > 0) await Promise.allSettled([...this.waiting]);
  }

  /** Reviews a stored PENDING template now and delivers the outcome. */
  async review(wabaId: string, name: string, language: string) {
    const template = this.find(wabaId, name, language);
    if (!template || template.status !== "PENDING") return;
    const reason = this.rules.get(`${name}|${language}`) ?? this.rules.get(name);
    template.status = reason ? "REJECTED" : "APPROVED";
    await this.host.deliver(
      this.host.envelope(wabaId, "message_template_status_update", {
        event: template.status,
        message_template_id: Number(template.id),
        message_template_name: name,
        message_template_language: language,
        reason: reason ?? "NONE",
      }),
    );
  }

  /** message_template_quality_update for a stored template. */
  sendQuality(wabaId: string, name: string, language: string, score: "GREEN" | "YELLOW" | "RED" | "UNKNOWN", previous = "UNKNOWN") {
    const template = this.find(wabaId, name, language);
    return this.host.deliver(
      this.host.envelope(wabaId, "message_template_quality_update", {
        previous_quality_score: previous,
        new_quality_score: score,
        message_template_id: Number(template?.id ?? 1),
        message_template_name: name,
        message_template_language: language,
      }),
    );
  }

  /** The fake's route for template creation and edits. */
  readonly route = (request: GraphRequest): GraphAnswer | null => {
    if (request.method !== "POST") return null;
    if (request.path.length === 2 && request.path[1] === "message_templates") return this.create(request.path[0], request);
    if (request.path.length === 1) {
      const found = this.byId(request.path[0]);
      return found ? this.edit(found.wabaId, found.template, request) : null;
    }
    return null;
  };

  private find(wabaId: string, name: string, language: string) {
    return (this.host.templates[wabaId] ?? []).find((t) => t.name === name && t.language === language);
  }

  private byId(id: string) {
    for (const [wabaId, list] of Object.entries(this.host.templates)) {
      const template = list.find((t) => t.id === id);
      if (template) return { wabaId, template };
    }
    return null;
  }

  private body(request: GraphRequest): Record<string, unknown> | null {
    try {
      const parsed: unknown = JSON.parse(request.body.toString("utf8"));
      return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  private create(wabaId: string, request: GraphRequest): GraphAnswer {
    const owner = this.host.numbers.find((n) => n.wabaId === wabaId && holds(n, request.token));
    if (!owner) return badToken();
    const body = this.body(request);
    const name = String(body?.name ?? "");
    const language = String(body?.language ?? "");
    const category = String(body?.category ?? "");
    const refuse = (message: string, subcode?: number) => {
      this.submissions.push({ wabaId, name, language, category, kind: "create", outcome: "refused", error: message });
      return invalid(message, subcode);
    };
    if (!body) return refuse("The body is not JSON");
    if (!/^[a-z0-9_]{1,512}$/.test(name)) return refuse("Template names are lower case letters, digits and underscores");
    if (!CATEGORIES.has(category)) return refuse("Category must be MARKETING, UTILITY or AUTHENTICATION");
    if (!LANGUAGES.has(language)) return refuse(`Unsupported language ${language}`);
    if (body.parameter_format !== undefined && body.parameter_format !== "POSITIONAL" && body.parameter_format !== "NAMED") return refuse("Unknown parameter_format");
    const problem = checkComponents(body.components);
    if (problem) return refuse(problem);
    if (this.find(wabaId, name, language)) return refuse(`Content in this language already exists for ${name}`, 2388024);
    const template: FakeTemplate = { id: String(this.nextId++), name, language, category: category as FakeTemplate["category"], status: "PENDING", components: body.components as Array<Record<string, unknown>> };
    (this.host.templates[wabaId] ??= []).push(template);
    this.submissions.push({ wabaId, name, language, category, kind: "create", outcome: "accepted" });
    this.schedule(wabaId, name, language);
    return { status: 200, body: { id: template.id, status: "PENDING", category } };
  }

  private edit(wabaId: string, template: FakeTemplate, request: GraphRequest): GraphAnswer {
    const owner = this.host.numbers.find((n) => n.wabaId === wabaId && holds(n, request.token));
    if (!owner) return badToken();
    const body = this.body(request);
    const refuse = (message: string) => {
      this.submissions.push({ wabaId, name: template.name, language: template.language, category: template.category, kind: "edit", outcome: "refused", error: message });
      return invalid(message);
    };
    if (!EDITABLE.has(template.status ?? "")) return refuse(`A ${template.status} template can't be edited`);
    if (body?.category !== undefined && body.category !== template.category) return refuse("An approved template's category can't change");
    const problem = checkComponents(body?.components);
    if (problem) return refuse(problem);
    template.components = body!.components as Array<Record<string, unknown>>;
    template.status = "PENDING";
    this.submissions.push({ wabaId, name: template.name, language: template.language, category: template.category, kind: "edit", outcome: "accepted" });
    this.schedule(wabaId, template.name, template.language);
    return { status: 200, body: { success: true } };
  }

  private schedule(wabaId: string, name: string, language: string) {
    if (this.reviewDelayMs === null) return;
    const promise = new Promise<void>((resolve) => setTimeout(resolve, this.reviewDelayMs ?? 0))
      .then(() => this.review(wabaId, name, language))
      .catch(() => {});
    this.waiting.add(promise);
    void promise.finally(() => this.waiting.delete(promise));
  }
}
