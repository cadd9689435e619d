// Shapes of the values the wasm facade returns: the report's own JSON (core/src/report), so the
// page shows exactly what `imgslim analyze --format json` prints.

export interface Summary {
  size_bytes: number;
  final_bytes: number;
  final_files: number;
  stored_bytes: number;
  uncompressed_bytes: number;
  layer_count: number;
  efficiency_score: number | null;
  inefficient_bytes: number | null;
  user_wasted_ratio: number | null;
  reclaimable_bytes: number;
  reclaimable_files: number;
  duplicate_bytes: number;
  duplicate_groups: number;
  verified_layers: number;
}

export interface ChangeCounts {
  files: number;
  bytes: number;
}

export interface Layer {
  index: number;
  diff_id: string | null;
  digest: string | null;
  compression: string;
  compressed_bytes: number | null;
  uncompressed_bytes: number;
  size_bytes: number;
  files: number;
  command: string | null;
  created: string | null;
  comment: string | null;
  empty_history_before: string[];
  added: ChangeCounts;
  modified: ChangeCounts;
  removed: ChangeCounts;
  verified: boolean;
  /** Added by the worker: the command as a Dockerfile line (core's `units::command`). */
  line?: string;
}

export interface WastedFile {
  path: string;
  bytes: number;
  layer: number;
  reason: string;
  by_layer: number;
  /** Added by the worker: the reason in words (core's `reason_text`). */
  reason_text?: string;
}

export interface DuplicateGroup {
  sha256: string;
  size: number;
  paths: string[];
  saved_bytes: number;
  /** Copies in all; `paths` may be cut to the report's list limit. */
  copies?: number;
}

export interface Finding {
  rule: string;
  name: string;
  severity: string;
  bytes: number;
  layer: number | null;
  command: string | null;
  paths: string[];
  message: string;
  /** Added by the worker: the rule's documentation (core's `rules::rule`). */
  doc?: RuleDoc | null;
}

export interface Proposal {
  kind: string;
  title: string;
  rationale: string;
  estimated_size_bytes: number;
  saved_bytes: number;
  dockerfile: string | null;
  copy: string[];
}

export interface Warning {
  kind: string;
  message: string;
}

export interface ImageInfo {
  source: string;
  format: string;
  repo_tags: string[];
  platform: { os: string | null; architecture: string | null; variant: string | null };
  config_digest: string | null;
}

export interface Row {
  id: number;
  name: string;
  size: number;
  change: "added" | "modified" | "removed" | "unchanged";
  kind: string;
  hasChildren: boolean;
}

export interface Opened {
  name: string;
  fileBytes: number;
  summary: Summary;
  image: ImageInfo;
  layers: Layer[];
  wasted: WastedFile[];
  duplicates: DuplicateGroup[];
  findings: Finding[];
  proposals: Proposal[];
  warnings: Warning[];
  rootId: number;
  ms: number;
  wasmMemoryBytes: number;
}

export interface Snapshot {
  bytesDone: number;
  bytesTotal: number;
  layersDone: number;
  layersTotal: number;
}

export type ToWorker =
  | { op: "open"; file: Blob; name: string }
  | { op: "call"; id: number; method: string; args: unknown[] };

export type FromWorker =
  | { op: "progress"; snap: Snapshot }
  | { op: "opened"; data: Opened }
  | { op: "error"; message: string }
  | { op: "result"; id: number; value?: unknown; error?: string };

export interface RuleDoc {
  code: string;
  name: string;
  family: string;
  severity: string;
  what: string;
  why: string;
  example: string;
  instead: string;
}

export interface Delta {
  old: number;
  new: number;
  change: number;
}

export interface ImageDiff {
  old: { source: string; name: string };
  new: { source: string; name: string };
  summary: Record<string, Delta | null>;
  layers: {
    old: number | null;
    new: number | null;
    status: "unchanged" | "changed" | "added" | "removed";
    matched_by: string | null;
    command: string | null;
    size_bytes: Delta;
  }[];
  findings: { new: Finding[]; resolved: Finding[] };
}
