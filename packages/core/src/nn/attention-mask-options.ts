/** Options of {@link buildAttentionMask}. */
export interface AttentionMaskOptions {
  /**
   * Key positions the mask covers, at least the attention mask rows' length (default: that length). Positions from
   * the rows' length on are masked out: the padded tail of a `KVCache` with `KVCacheOptions.padding`, whose length
   * `KVCache.keyLength` gives.
   */
  readonly keyLength?: number;
}
