import type { AlertRuleSettings } from "../config/alerts.js";

/** What the database remembers of a rule between evaluations (alert_rule_state). */
export interface RuleMemory {
  pendingSince: Date | undefined;
  lastNotifiedAt: Date | undefined;
}

/** The rule's firing alert, if it has one. */
export interface FiringAlert {
  id: string;
  notifications: number;
}

export type NoticeKind = "fired" | "reminder" | "resolved";

export interface Decision {
  /** The new pending_since. */
  pendingSince: Date | undefined;
  /** Insert a firing alert now. */
  fire: boolean;
  /** Resolve the firing alert now. */
  resolve: boolean;
  /** Send this notice (for the new or the firing alert). */
  notice: NoticeKind | undefined;
}

/**
 * One rule's step, a pure function of what was measured and what is stored.
 *
 * - `condition` undefined (no data: no sample yet, the health check has not
 *   run, a database read failed) changes nothing: a firing alert is not
 *   resolved by a gap in the figures, and a pending one neither fires nor
 *   starts over. The next evaluation with data decides.
 * - true: pending since the first such evaluation; fires once it has held
 *   `forSeconds` (at once for 0). While firing, a reminder goes out each time
 *   the cooldown has passed since the rule's last notice.
 * - false: pending is cleared; a firing alert resolves. Its resolution notice
 *   always goes out when the firing was announced (an operator who was told
 *   "firing" must hear "resolved"), and none when it never was.
 *
 * The cooldown counts from the rule's last notice of any kind, so a rule that
 * flaps (fires, resolves, fires again) is recorded each time but announced at
 * most once per cooldown: the re-fire is announced when its cooldown ends, if
 * it is still firing then.
 */
export function decide(input: {
  settings: Pick<AlertRuleSettings, "forSeconds" | "cooldownSeconds">;
  condition: boolean | undefined;
  memory: RuleMemory;
  firing: FiringAlert | undefined;
  now: Date;
}): Decision {
  const { settings, condition, memory, firing, now } = input;
  const nothing = { fire: false, resolve: false, notice: undefined };
  if (condition === undefined) return { pendingSince: memory.pendingSince, ...nothing };
  if (!condition) {
    if (!firing) return { pendingSince: undefined, ...nothing };
    return {
      pendingSince: undefined,
      fire: false,
      resolve: true,
      notice: firing.notifications > 0 ? "resolved" : undefined,
    };
  }
  const cooled =
    memory.lastNotifiedAt === undefined ||
    now.getTime() - memory.lastNotifiedAt.getTime() >= settings.cooldownSeconds * 1000;
  if (firing) {
    const notice = !cooled ? undefined : firing.notifications === 0 ? "fired" : "reminder";
    return { pendingSince: undefined, fire: false, resolve: false, notice };
  }
  const since = memory.pendingSince ?? now;
  if (now.getTime() - since.getTime() < settings.forSeconds * 1000) {
    return { pendingSince: since, ...nothing };
  }
  return {
    pendingSince: undefined,
    fire: true,
    resolve: false,
    notice: cooled ? "fired" : undefined,
  };
}
