export interface ValidationIssue {
  /** Stable id of the check: `schema` for JSON Schema errors, a rule name otherwise. */
  rule: string;
  /** JSON path, e.g. `data.ticket.replies[0].id`; `$` is the whole event. */
  path: string;
  message: string;
  expected: string;
  actual: string;
}

export interface ValidationWarning {
  path: string;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  /** The event's `event_type` when it is one of the four, else undefined. */
  eventType: string | undefined;
  errors: ValidationIssue[];
  warnings: ValidationWarning[];
}
