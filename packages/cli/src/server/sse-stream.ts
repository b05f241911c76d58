import type { ServerResponse } from 'node:http';

/** Writes server-sent events (`data: <json>\n\n`) and the closing `data: [DONE]`, as OpenAI streams do. */
export class SseStream {
  constructor(private readonly response: ServerResponse) {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders();
  }

  /** True once the client has gone away. */
  get closed(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  /** Sends one JSON event. */
  send(data: unknown): void {
    if (!this.closed) this.response.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  /** Sends `[DONE]` and ends the response. */
  done(): void {
    if (this.closed) return;
    this.response.write('data: [DONE]\n\n');
    this.response.end();
  }
}
