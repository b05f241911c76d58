/** Sampling, stopping and reporting options for text generation. Unset fields take the model's `generation_config.json` defaults. */
export interface GenerationOptions {
  /** Most new tokens per row. */
  maxNewTokens?: number;
  /** 0 means greedy. */
  temperature?: number;
  /** Keep the `topK` most likely tokens (0 = off). */
  topK?: number;
  /** Nucleus sampling mass (1 = off). */
  topP?: number;
  /** Drop tokens below `minP` times the top probability (0 = off). */
  minP?: number;
  /** Multiplicative penalty on tokens already present (1 = off), as in transformers. */
  repetitionPenalty?: number;
  /** Subtracted once from the logit of every token already generated (OpenAI's presence penalty). */
  presencePenalty?: number;
  /** Subtracted per occurrence from the logit of generated tokens (OpenAI's frequency penalty). */
  frequencyPenalty?: number;
  /** Seed for sampling; the same seed gives the same output. */
  seed?: number;
  /** Sample (true) or pick greedily (false). Defaults from `generation_config.json` `do_sample`, and false when temperature is 0. */
  doSample?: boolean;
  /** Strings that end generation; the stop string itself is not returned. */
  stop?: string | readonly string[];
  /** Token ids that end generation, replacing the model's EOS ids. */
  eosTokenIds?: readonly number[];
  /** Report the top-n log-probabilities of each generated token (0 = just the chosen token's). */
  topLogprobs?: number;
  /** Report log-probabilities at all. */
  logprobs?: boolean;
  /** Cancels generation; the result so far is returned with finish reason `abort` (streams end the same way). */
  signal?: AbortSignal;
  /**
   * Constrains the output to JSON (`json_object`: any JSON object) or to a JSON Schema (`json_schema`) by masking
   * tokens at every step, so the text parses and validates by construction unless it is cut short (`maxNewTokens`,
   * a stop string, an abort). See docs/structured-output.md for the supported keywords.
   */
  responseFormat?: ResponseFormat;
}

/** What the output must be (OpenAI's `response_format`, camel-cased): plain text, any JSON object, or JSON following a schema. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      /** The JSON Schema the output validates against. */
      schema: Record<string, unknown> | boolean;
      /** Accepted for OpenAI compatibility; the schema is always enforced and unsupported keywords are always an error. */
      strict?: boolean;
      /** A name for the schema (informational). */
      name?: string;
    };

/** Why generation ended. */
export type FinishReason = 'stop' | 'length' | 'abort' | 'tool_calls';

/** Log-probability of a token and its top alternatives. */
export interface TokenLogprob {
  token: number;
  text: string;
  logprob: number;
  top?: Array<{ token: number; text: string; logprob: number }>;
}

/** Token counts of a request. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}
