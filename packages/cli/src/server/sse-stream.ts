import type { ServerResponse } from 'node:http';

/**
 * Writes server-sent events (`data: <json>\n\n`) and the closing `data: [DONE]`, as OpenAI streams do. Each event is
 * written at once (headers flushed up front, no compression, `X-Accel-Buffering: no` for proxies); {@link send}
 * waits while the client reads slower than the model writes.
 */
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

  /** Sends one JSON event; resolves when the socket can take more (at once, unless the client reads slowly or left). */
  async send(data: unknown): Promise<void> {
    if (this.closed) return;
    if (this.response.write(`data: ${JSON.stringify(data)}\n\n`)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.response.off('drain', done);
        this.response.off('close', done);
        resolve();
      };
      this.response.on('drain', done);
      this.response.on('close', done);
    });
  }

  /** Sends `[DONE]` and ends the response. */
  done(): void {
    if (this.closed) return;
    this.response.write('data: [DONE]\n\n');
    this.response.end();
  }
}
