/** The version of the plugin spec in this copy of `@pio/core`. Plugins declare the version they implement; others are refused. */
export const PLUGIN_SPEC_VERSION = 'v1' as const;
