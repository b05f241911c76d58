import { PioError, type PioErrorOptions } from './pio-error.js';

/**
 * Why a chat template failed:
 * - `missing`: the model folder has no chat template (or none with the requested name);
 * - `syntax`: the template does not parse;
 * - `raised`: the template called `raise_exception` (usually: the conversation has a shape the model does not accept);
 * - `render`: rendering failed for another reason;
 * - `invalid-message`: a message could not be converted for the template (e.g. tool-call arguments that are not JSON).
 */
export type ChatTemplateFailure = 'missing' | 'syntax' | 'raised' | 'render' | 'invalid-message';

/** A chat template could not be found, parsed or rendered. */
export class ChatTemplateError extends PioError {
  /** What went wrong. */
  readonly reason: ChatTemplateFailure;
  /** Where the template came from (a file path or a description), when known. */
  readonly source?: string;
  /** The text the template passed to `raise_exception`, for `raised`. */
  readonly templateMessage?: string;

  constructor(fields: { reason: ChatTemplateFailure; source?: string; templateMessage?: string; detail?: string }, options: PioErrorOptions = {}) {
    const where = fields.source ? ` (${fields.source})` : '';
    const detail = fields.detail ? `: ${fields.detail}` : '';
    const what = {
      missing: `No chat template found${where}${detail}. Give one explicitly, or use a model folder whose tokenizer_config.json, chat_template.json or chat_template.jinja holds it.`,
      syntax: `The chat template does not parse${where}${detail}. Check the template's Jinja syntax.`,
      raised: `The chat template rejected the conversation${where}: ${fields.templateMessage ?? ''}. Change the messages so the model's template accepts them.`,
      render: `The chat template failed to render${where}${detail}. Check the messages and template options.`,
      'invalid-message': `A chat message cannot be passed to the template${where}${detail}. Fix the message.`,
    }[fields.reason];
    super('PIO_CHAT_TEMPLATE', what, options);
    this.name = 'ChatTemplateError';
    this.reason = fields.reason;
    if (fields.source !== undefined) this.source = fields.source;
    if (fields.templateMessage !== undefined) this.templateMessage = fields.templateMessage;
  }

  /** True when `error` is a {@link ChatTemplateError} from any copy of `@pio/core`. */
  static override isInstance(error: unknown): error is ChatTemplateError {
    return PioError.isInstance(error) && error.code === 'PIO_CHAT_TEMPLATE';
  }
}
