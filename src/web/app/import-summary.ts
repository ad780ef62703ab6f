/** The counts `POST /v1/import` ends its NDJSON answer with. */
export interface ImportSummary {
  total: number;
  imported: number;
  updated: number;
  unchanged: number;
  invalid: number;
}

/**
 * The summary of an import answer: NDJSON, one result per line, the `{"summary": …}` line last
 * (never one JSON object, so `res.json()` on it fails even when the import succeeded).
 */
export function importSummaryOf(text: string): ImportSummary | null {
  const lines = text.trimEnd().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const v = JSON.parse(lines[i] ?? '') as { summary?: ImportSummary };
      if (v && typeof v === 'object' && v.summary) return v.summary;
    } catch {
      // Not JSON: keep looking further up.
    }
  }
  return null;
}
