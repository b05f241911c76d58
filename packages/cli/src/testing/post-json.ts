/** A JSON answer: its HTTP status and parsed body. */
export interface JsonAnswer {
  status: number;
  body: any;
}

/** POSTs `body` to `url` as JSON (a string is sent as it is, e.g. malformed JSON) and reads the JSON answer. */
export async function postJson(url: string, body: unknown): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
