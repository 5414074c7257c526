/**
 * The Chart.yaml metadata fields Helm knows (helm.sh/helm pkg/chart/v2 Metadata). Only these are
 * ever copied into an index entry: Helm parses index.yaml strictly and one unknown key rejects the
 * whole file.
 */
export interface Maintainer {
  name: string;
  email?: string;
  url?: string;
}

export interface Dependency {
  name: string;
  version?: string;
  repository?: string;
  condition?: string;
  tags?: string[];
  enabled?: boolean;
  "import-values"?: unknown[];
  alias?: string;
}

export interface ChartMetadata {
  apiVersion: string;
  name: string;
  version: string;
  kubeVersion?: string;
  description?: string;
  type?: string;
  keywords?: string[];
  home?: string;
  sources?: string[];
  dependencies?: Dependency[];
  maintainers?: Maintainer[];
  icon?: string;
  appVersion?: string;
  deprecated?: boolean;
  annotations?: Record<string, string>;
  /** Helm v1-era fields still accepted in Chart.yaml. */
  condition?: string;
  tags?: string;
}

/** The Chart.yaml metadata keys Helm knows, in the order of Helm's Metadata type. */
export const CHART_METADATA_KEYS = [
  "apiVersion",
  "name",
  "version",
  "kubeVersion",
  "description",
  "type",
  "keywords",
  "home",
  "sources",
  "dependencies",
  "maintainers",
  "icon",
  "appVersion",
  "deprecated",
  "annotations",
  "condition",
  "tags",
] as const satisfies ReadonlyArray<keyof ChartMetadata>;

export const MAINTAINER_KEYS = ["name", "email", "url"] as const satisfies ReadonlyArray<keyof Maintainer>;

export const DEPENDENCY_KEYS = [
  "name",
  "version",
  "repository",
  "condition",
  "tags",
  "enabled",
  "import-values",
  "alias",
] as const satisfies ReadonlyArray<keyof Dependency>;
