/**
 * `@pio/core/text`: tokenizers, chat templates and streaming detokenization.
 *
 * @module @pio/core/text
 */
export type { Tokenizer, EncodeOptions, DecodeOptions, SpecialToken } from './tokenizer.js';
export { createTokenizer } from './create-tokenizer.js';
export { loadTokenizer } from './load-tokenizer.js';
export type { ChatTemplate, ChatTemplateRenderInput } from './chat-template.js';
export { createChatTemplate, type ChatTemplateOptions } from './create-chat-template.js';
export { loadChatTemplate } from './load-chat-template.js';
export { messagesForTemplate } from './messages-for-template.js';
export { specialTokensMapOf } from './special-tokens-map.js';
export { tokenContent } from './token-content.js';
export { strftime } from './strftime.js';
export { createDetokenizer, type Detokenizer, type DetokenizerOptions } from './detokenizer.js';
export { TokenizerLoadError, type TokenizerLoadFailure } from '../errors/tokenizer-load-error.js';
export { ChatTemplateError, type ChatTemplateFailure } from '../errors/chat-template-error.js';
export { readJsonFile, type JsonFileResult, type ReadJsonFileOptions } from './read-json-file.js';
