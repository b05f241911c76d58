import { Environment, Interpreter, Template } from '@huggingface/jinja';
import { ChatTemplateError } from '../errors/chat-template-error.js';
import { PioError } from '../errors/pio-error.js';
import type { ChatTemplate, ChatTemplateRenderInput } from './chat-template.js';
import { messagesForTemplate } from './messages-for-template.js';
import { strftime } from './strftime.js';

/** Options of {@link createChatTemplate}. */
export interface ChatTemplateOptions {
  /** Special-token variables (`bos_token`, `eos_token`, …), usually `Tokenizer.specialTokensMap`. */
  specialTokens?: Readonly<Record<string, string | readonly string[]>>;
  /** Clock for `strftime_now` (default: the current time). */
  now?: () => Date;
  /** Where the template came from, for error messages. */
  sourceName?: string;
}

/**
 * Builds a {@link ChatTemplate} from Jinja source, or from a list of named templates as `tokenizer_config.json` may hold
 * (`[{ name: 'default', template }, { name: 'tool_use', template }]`; `tool_use` is chosen when tools are given).
 *
 * Rendering follows transformers: trim_blocks and lstrip_blocks, a `tojson` that keeps non-ASCII, `raise_exception`
 * (throws {@link ChatTemplateError}), `strftime_now`, the special-token variables, `tools` and `documents` set to
 * none when absent, and messages converted from OpenAI's shape (see `messagesForTemplate`).
 *
 * @throws {@link ChatTemplateError} `syntax` when a template does not parse, `missing` when no template is given
 */
export function createChatTemplate(template: string | ReadonlyArray<{ name: string; template: string }>, options: ChatTemplateOptions = {}): ChatTemplate {
  const sourceName = options.sourceName;
  const list = typeof template === 'string' ? [{ name: 'default', template }] : template;
  const parsed = new Map<string, Template>();
  for (const entry of list) {
    try {
      parsed.set(entry.name, new Template(entry.template));
    } catch (cause) {
      const detail = `${entry.name}: ${(cause as Error)?.message}`;
      throw new ChatTemplateError({ reason: 'syntax', source: sourceName, detail }, { cause });
    }
  }
  const defaultName = parsed.has('default') ? 'default' : list[0]?.name;
  if (defaultName === undefined) throw new ChatTemplateError({ reason: 'missing', source: sourceName, detail: 'the template list is empty' });
  const source = list.find((entry) => entry.name === defaultName)!.template;
  const now = options.now ?? (() => new Date());

  return {
    source,
    names: [...parsed.keys()],
    render(input: ChatTemplateRenderInput): string {
      const { messages, tools, addGenerationPrompt, ...extra } = input;
      const hasTools = tools !== undefined && tools.length > 0;
      const name = hasTools && parsed.has('tool_use') ? 'tool_use' : defaultName;
      const variables: Record<string, unknown> = {
        ...options.specialTokens,
        messages: messagesForTemplate(messages),
        tools: tools === undefined ? null : tools,
        documents: null,
        add_generation_prompt: addGenerationPrompt ?? false,
        ...extra,
        raise_exception: (message: unknown) => {
          throw new ChatTemplateError({ reason: 'raised', source: sourceName, templateMessage: String(message) });
        },
        strftime_now: (format: unknown) => strftime(now(), String(format)),
      };
      try {
        return renderWithGlobals(parsed.get(name)!, variables);
      } catch (cause) {
        if (PioError.isInstance(cause)) throw cause;
        throw new ChatTemplateError({ reason: 'render', source: sourceName, detail: (cause as Error)?.message }, { cause });
      }
    },
  };
}

/**
 * Renders with PIO's own globals. `Template.render` of @huggingface/jinja declares `raise_exception` and `strftime_now`
 * itself and refuses redeclaration, so the environment is built here with the same constants and `range`.
 */
function renderWithGlobals(template: Template, variables: Record<string, unknown>): string {
  const env = new Environment();
  const globals: Record<string, unknown> = { false: false, true: true, none: null, False: false, True: true, None: null, range };
  for (const [key, value] of Object.entries({ ...globals, ...variables })) env.set(key, value);
  const result = new Interpreter(env).run(template.parsed);
  return String(result.value);
}

/** Python's `range(stop)` / `range(start, stop[, step])`. */
function range(start: number, stop?: number, step = 1): number[] {
  if (step === 0) throw new Error('range() step must not be zero');
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  const out: number[] = [];
  for (let i = from; step > 0 ? i < to : i > to; i += step) out.push(i);
  return out;
}
