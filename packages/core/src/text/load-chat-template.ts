import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChatTemplateError } from '../errors/chat-template-error.js';
import { TokenizerLoadError } from '../errors/tokenizer-load-error.js';
import type { ChatTemplate } from './chat-template.js';
import { createChatTemplate, type ChatTemplateOptions } from './create-chat-template.js';
import { isJsonObject, readJsonFile, type ReadJsonFileOptions } from './read-json-file.js';
import { specialTokensMapOf } from './special-tokens-map.js';

type TemplateValue = string | ReadonlyArray<{ name: string; template: string }>;

/**
 * Loads the chat template of a Hugging Face model folder, looking where transformers does, in this order:
 * `chat_template.jinja`, the `chat_template` key of `tokenizer_config.json` (a string or a list of named templates),
 * then `chat_template.json` (`{ "chat_template": … }`). The special tokens of `tokenizer_config.json` become template
 * variables (`bos_token`, `eos_token`, …).
 *
 * @param options - `now` (clock for `strftime_now`); `specialTokens` replaces those read from `tokenizer_config.json`;
 *   `validatePath`: the path guard each file goes through (its `PathNotAllowedError` is thrown as is)
 * @throws {@link ChatTemplateError} `missing` when none of the files holds a template, `syntax` when it does not parse
 * @throws {@link TokenizerLoadError} when `tokenizer_config.json` exists but is unreadable or not JSON
 */
export async function loadChatTemplate(modelDir: string, options: Omit<ChatTemplateOptions, 'sourceName'> & ReadJsonFileOptions = {}): Promise<ChatTemplate> {
  const guard = { validatePath: options.validatePath };
  const configPath = join(modelDir, 'tokenizer_config.json');
  const configFile = await readJsonFile(configPath, guard);
  if (!configFile.ok && configFile.reason !== 'missing') {
    throw new TokenizerLoadError({ path: configPath, reason: configFile.reason, detail: configFile.detail }, { cause: configFile.cause });
  }
  const config = configFile.ok && isJsonObject(configFile.value) ? configFile.value : {};
  const specialTokens = options.specialTokens ?? specialTokensMapOf(config);

  const jinjaPath = join(modelDir, 'chat_template.jinja');
  const jinja = await readTextFile(jinjaPath, options.validatePath);
  if (jinja !== undefined) return createChatTemplate(jinja, { ...options, specialTokens, sourceName: jinjaPath });

  const fromConfig = asTemplate(config.chat_template);
  if (fromConfig !== undefined) return createChatTemplate(fromConfig, { ...options, specialTokens, sourceName: configPath });

  const jsonPath = join(modelDir, 'chat_template.json');
  const jsonFile = await readJsonFile(jsonPath, guard);
  const fromJson = jsonFile.ok && isJsonObject(jsonFile.value) ? asTemplate(jsonFile.value.chat_template) : undefined;
  if (fromJson !== undefined) return createChatTemplate(fromJson, { ...options, specialTokens, sourceName: jsonPath });

  throw new ChatTemplateError({
    reason: 'missing',
    source: modelDir,
    detail: 'looked in chat_template.jinja, tokenizer_config.json (chat_template) and chat_template.json',
  });
}

function asTemplate(value: unknown): TemplateValue | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const list = value.filter(
      (entry): entry is { name: string; template: string } => isJsonObject(entry) && typeof entry.name === 'string' && typeof entry.template === 'string',
    );
    return list.length > 0 ? list : undefined;
  }
  return undefined;
}

/** A text file's content, `undefined` when it is missing; the path guard's refusal is thrown. */
async function readTextFile(path: string, validatePath: ((path: string) => Promise<string>) | undefined): Promise<string | undefined> {
  const real = validatePath ? await validatePath(path) : path;
  return readFile(real, 'utf8').catch(() => undefined);
}
