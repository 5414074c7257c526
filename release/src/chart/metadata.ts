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
