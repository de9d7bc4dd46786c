// The erasure's own choices and its default name, checked before anything is prepared or sent.
import type { Clock } from "../aws/poll.ts";
import { JOB_NAME_MAX, repeatName } from "../deletion/names.ts";
import { uniqueSuffix } from "../deletion/upload-plan.ts";
import { ValidationError } from "../errors.ts";
import { JobNameSchema, validate } from "../model/schemas.ts";
import type { RetrainOptions } from "./stages/finish.ts";
import { checkOutsideChoices, type OutsideChoices } from "./stages/outside.ts";
import type { IfBusy } from "./types.ts";

/** The choices of `ifBusy`, for front-ends that check their own inputs against them. */
export const IF_BUSY_CHOICES: readonly IfBusy[] = ["wait", "fail", "ignore"];
/** The training modes a retrain may ask for (AUTOTRAIN is the service's own). */
export const TRAINING_MODES: readonly NonNullable<RetrainOptions["trainingMode"]>[] = ["FULL", "UPDATE"];
// The model's 63 characters of a job name, less what a repeat job adds.
const REPEAT_ROOM = JOB_NAME_MAX - repeatName("").length;

/**
 * The job name of an erasure started without one: `erase-users-<time>-<random>`. A front-end that must tell
 * the user how to resume it picks the name with this before it starts.
 */
export function defaultErasureName(clock: Pick<Clock, "now" | "random">): string {
  return `erase-users-${uniqueSuffix(clock).replace("T", "-")}`;
}

/**
 * Checks the erasure's own choices (`ifBusy`, the retrain's training mode) and, once it is known, the job
 * name with the room its repeat job needs: before anything is prepared or sent.
 */
export function checkChoices(
  input: { ifBusy?: IfBusy; retrain?: boolean | RetrainOptions } & OutsideChoices,
  jobName: string | undefined,
): void {
  checkOutsideChoices(input);
  const issues = [];
  const { ifBusy } = input;
  if (ifBusy !== undefined && !IF_BUSY_CHOICES.includes(ifBusy)) {
    issues.push({
      path: "ifBusy",
      rule: `must be one of ${IF_BUSY_CHOICES.join(", ")}`,
      received: JSON.stringify(ifBusy),
    });
  }
  const mode = typeof input.retrain === "object" ? input.retrain.trainingMode : undefined;
  if (mode !== undefined && !TRAINING_MODES.includes(mode)) {
    issues.push({
      path: "retrain.trainingMode",
      rule: `must be one of ${TRAINING_MODES.join(", ")}`,
      received: JSON.stringify(mode),
    });
  }
  if (issues.length) throw new ValidationError(issues, "eraseUsers");
  // A name still to be derived from the list is checked once it is.
  if (jobName === undefined) return;
  validate(JobNameSchema, jobName, "eraseUsers", "jobName");
  checkRepeatRoom(jobName);
}

/** The repeat job's name must fit before the first job is made, not when it is needed. */
export function checkRepeatRoom(name: string): void {
  if (name.length <= REPEAT_ROOM) return;
  throw new ValidationError(
    [
      {
        path: "jobName",
        rule: `must be at most ${REPEAT_ROOM} characters long, to leave room for its repeat job ${repeatName("NAME")}`,
        received: `${name.length} characters`,
      },
    ],
    "eraseUsers",
  );
}
