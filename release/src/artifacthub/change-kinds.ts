/** The kinds of a structured change entry (Artifact Hub lower-cases the kind before comparing). */
export const CHANGE_KINDS = ["added", "changed", "deprecated", "removed", "fixed", "security"] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];
