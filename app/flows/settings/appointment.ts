import { z } from "zod";
import { language, listLength, readTemplateAndFields, templateName, type AdminShape, type FieldSpec, type FormReader } from "./fields";

export const MAX_APPOINTMENT_REMINDERS = 3;

const reminderSchema = z.object({
  hoursBefore: z.number().min(1, "at least 1 hour").max(24 * 7, "at most 7 days"),
});

/**
 * Configs written before several reminders existed carry one `hoursBefore`; they read as a list
 * of that one reminder, so a stored shop keeps exactly the reminder it had.
 */
function remindersFromLegacy(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const { hoursBefore, ...rest } = raw as Record<string, unknown>;
  if (hoursBefore === undefined || "reminders" in rest) return rest;
  return { ...rest, reminders: [{ hoursBefore }] };
}

const appointmentFields = z.object({
  /** UTILITY template. Body parameters: {{1}} item title, {{2}} local date, {{3}} local time */
  templateName: templateName.default("appointment_reminder"),
  language,
  /** Stored longest lead first; each reminder has its own dedup key (app/flows/appointment.ts) */
  reminders: z
    .array(reminderSchema)
    .min(1, "at least one reminder")
    .max(MAX_APPOINTMENT_REMINDERS, `at most ${MAX_APPOINTMENT_REMINDERS} reminders`)
    .refine((list) => new Set(list.map((r) => r.hoursBefore)).size === list.length, {
      message: "each reminder needs a different time",
    })
    .transform((list) => [...list].sort((a, b) => b.hoursBefore - a.hoursBefore))
    .default([{ hoursBefore: 24 }, { hoursBefore: 2 }]),
  /** Line item property holding the date, or date and time ("2026-03-29 10:30") */
  bookingDateProperty: z.string().trim().min(1).max(100).default("Booking date"),
  /** Line item property holding the time when it is separate from the date */
  bookingTimeProperty: z.string().trim().min(1).max(100).nullable().default("Booking time"),
});

export const appointmentSchema = z.preprocess(remindersFromLegacy, appointmentFields);
export type AppointmentConfig = z.infer<typeof appointmentSchema>;

// The reminders list (config.reminders.N.hoursBefore, with reminderCount) is its own part of the form.
const fields = [
  { key: "bookingDateProperty", kind: "text" },
  { key: "bookingTimeProperty", kind: "optionalText" },
] as const satisfies readonly FieldSpec<keyof AppointmentConfig>[];

function readForm(read: FormReader) {
  const count = listLength(read, "reminderCount", MAX_APPOINTMENT_REMINDERS);
  return {
    ...readTemplateAndFields(read, fields),
    reminders: Array.from({ length: count }, (_, i) => ({ hoursBefore: read.number(`config.reminders.${i}.hoursBefore`, false) })),
  };
}

/** The old shape's step delay is how many hours before the booking the reminder goes. */
function fromAdminShape({ rest, template, hours }: AdminShape) {
  return { ...rest, ...template, ...(hours !== undefined && hours >= 1 ? { hoursBefore: hours } : {}) };
}

export const appointmentSettings = { schema: appointmentSchema, singleTemplate: true, fields, readForm, fromAdminShape } as const;
