// Compiles security rules on a running Firestore emulator: the same compiler the emulator and
// the rules release use, which reports syntax and type errors with their line and column.

/** Returns the rules' compile errors as lines ('firestore.rules:12:5: <error>'); empty when they compile. */
export async function rulesCompileErrors({ firestoreUrl, projectId, name, source }) {
  const response = await fetch(`${firestoreUrl}/emulator/v1/projects/${projectId}:securityRules`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ignore_errors: true, rules: { files: [{ name, content: source }] } }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) return [`${name}: the emulator refused the rules (HTTP ${response.status}): ${body?.error?.message ?? ''}`];
  return (body.issues ?? [])
    .filter((issue) => issue.severity === 'ERROR')
    .map((issue) => `${name}:${issue.sourcePosition?.line ?? '?'}:${issue.sourcePosition?.column ?? '?'}: ${issue.description}`);
}
