/**
 * Checkpoint tensor names → the plugin's module names. A Qwen3-VL checkpoint holds `model.language_model.*`
 * (text decoder), `model.visual.*` (vision tower) and, when the head is not tied, `lm_head.weight`.
 */
export const QWEN3_VL_WEIGHT_RENAMES: ReadonlyArray<readonly [string | RegExp, string]> = [
  [/^model\.language_model\./, 'text.'],
  [/^model\.visual\./, 'vision.'],
  [/^lm_head\./, 'lmHead.'],
];

/** Module-name prefix of the text decoder's weights. */
export const TEXT_PREFIX = 'text';
/** Module-name prefix of the vision tower's weights. */
export const VISION_PREFIX = 'vision';
/** Module name of the untied output head. */
export const LM_HEAD_NAME = 'lmHead.weight';
