// Every param and secret the functions define must be findable by whoever deploys: named in the
// README (the Deploy section's walk-through) and in functions/.env.example (the file they copy).

/**
 * `params`: [{ name, type }] as the functions declare them (type 'secret' for defineSecret).
 * `documents`: { [label]: text }. Returns one line per param a document does not mention.
 */
export function undocumentedParams(params, documents) {
  const missing = [];
  for (const { name, type } of params) {
    const word = new RegExp(`(^|[^A-Z0-9_])${name}([^A-Z0-9_]|$)`);
    for (const [label, text] of Object.entries(documents)) {
      if (!word.test(text)) missing.push(`${type === 'secret' ? 'secret' : 'param'} ${name} is not mentioned in ${label}`);
    }
  }
  return missing;
}
