/**
 * What to say about a `JSON.parse` failure without quoting the file: Node's messages include the text around the
 * error (`Unexpected token 'r', "root:x:0:0:"... is not valid JSON`), which would leak the content of a file read by
 * mistake (a symlink to a secret) into an error sent to a client. Keeps only the position.
 */
export function jsonSyntaxDetail(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const position = /position (\d+)/.exec(message)?.[1];
  if (/end of (JSON )?input/i.test(message)) return 'it ends too early';
  return position === undefined ? 'a syntax error' : `a syntax error at position ${position}`;
}
