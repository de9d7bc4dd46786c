// The part of the runtime's "cloudflare:workers" module this Worker uses, shaped as @cloudflare/workers-types
// declares it (not a dependency here): the Workflow entrypoint and its step API.
declare module "cloudflare:workers" {
  type WorkflowDurationLabel = "second" | "minute" | "hour" | "day" | "week" | "month" | "year";
  export type WorkflowSleepDuration = `${number} ${WorkflowDurationLabel}${"s" | ""}` | number;
  export interface WorkflowStepConfig {
    retries?: {
      limit: number;
      delay: WorkflowSleepDuration;
      backoff?: "constant" | "linear" | "exponential";
    };
    timeout?: WorkflowSleepDuration;
  }
  export interface WorkflowEvent<T> {
    payload: Readonly<T>;
    timestamp: Date;
    instanceId: string;
  }
  export abstract class WorkflowStep {
    do<T>(name: string, callback: () => Promise<T>): Promise<T>;
    do<T>(name: string, config: WorkflowStepConfig, callback: () => Promise<T>): Promise<T>;
    sleep(name: string, duration: WorkflowSleepDuration): Promise<void>;
  }
  export abstract class WorkflowEntrypoint<Env = unknown, T = unknown> {
    protected ctx: unknown;
    protected env: Env;
    constructor(ctx: unknown, env: Env);
    run(event: Readonly<WorkflowEvent<T>>, step: WorkflowStep): Promise<unknown>;
  }
}
