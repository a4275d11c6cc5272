/** Where the monitoring page lives and the ids its refresh relies on. */
export const MONITORING_PATH = "/admin/monitoring";
/** The block htmx replaces on every poll. */
export const LIVE_ID = "monitoring-live";
/** The screen-reader status line, outside that block. */
export const ANNOUNCE_ID = "monitoring-announce";
export const REFRESH_SECONDS = 5;
