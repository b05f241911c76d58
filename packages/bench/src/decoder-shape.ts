/** Dimensions of a Qwen3 text decoder (the fields of its `config.json`), benchmarked with random weights. */
export interface DecoderShape {
  /** Short name, used in file names and reports, e.g. `qwen3-0.6b`. */
  name: string;
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  ropeTheta: number;
  eps: number;
}
