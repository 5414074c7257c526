/**
 * A generic GitHub Actions workflow runner for rehearsals: load a workflow, list its actions,
 * run it locally with bash and local equivalents of actions, report what happened.
 */
export { artifactActions } from "./artifact-actions.js";
export { type ActionUse, checkActionsMapped, listActionUses } from "./list-uses.js";
export { loadWorkflow, parseWorkflow } from "./load-workflow.js";
export type { Job, Step, Workflow } from "./model.js";
export { renderReport } from "./render-report.js";
export {
  assertWorkflowSucceeded,
  firstFailure,
  type JobResult,
  type RunStatus,
  type StepResult,
  type WorkflowResult,
} from "./result.js";
export type {
  ActionContext,
  ActionMap,
  ActionOutcome,
  GitHubFacts,
  JobIdentity,
  LocalAction,
  RunProgress,
  RunWorkflowOptions,
  WorkflowEvent,
} from "./run-options.js";
export { runWorkflow } from "./run-workflow.js";
