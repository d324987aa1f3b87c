-- Issue 15, items 4, 6, 7: alerts, finance views and the caller's metadata, the audit log.
ALTER TABLE `usage` ADD `metadata` text;
--> statement-breakpoint
ALTER TABLE `virtual_keys` ADD `budget_alerts` text;
--> statement-breakpoint
ALTER TABLE `teams` ADD `budget_alerts` text;
--> statement-breakpoint
-- One row per alert that fired. The unique index is what makes an alert fire once across every
-- gateway instance on this database: the instance whose INSERT OR IGNORE adds the row sends it.
CREATE TABLE `alert_firings` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`window_start` integer NOT NULL,
	`threshold` integer DEFAULT 0 NOT NULL,
	`fired_at` integer NOT NULL,
	`instance` text,
	`detail` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_firings_once` ON `alert_firings` (`kind`, `subject`, `window_start`, `threshold`);
--> statement-breakpoint
CREATE TABLE `alert_deliveries` (
	`firing_id` text NOT NULL,
	`webhook` integer NOT NULL,
	`target` text NOT NULL,
	`format` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY (`firing_id`, `webhook`)
);
--> statement-breakpoint
CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`source` text NOT NULL,
	`action` text NOT NULL,
	`target` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_at` ON `audit_log` (`at`);
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
--> statement-breakpoint
CREATE VIEW `usage_daily` AS
SELECT strftime('%Y-%m-%d', u.created_at / 1000, 'unixepoch') AS day,
       u.team AS team,
       coalesce(k.id, u.key_name) AS key,
       max(u.key_name) AS key_name,
       u.requested_model AS model,
       count(*) AS requests,
       sum(u.input_tokens) AS input_tokens,
       sum(u.output_tokens) AS output_tokens,
       sum(u.cached_input_tokens) AS cached_input_tokens,
       sum(u.reasoning_tokens) AS reasoning_tokens,
       sum(u.cost_micros) AS cost_micros,
       sum(CASE WHEN u.outcome NOT IN ('ok', 'interrupted') THEN 1 ELSE 0 END) AS errors
FROM usage u
LEFT JOIN virtual_keys k ON k.hash = u.key_hash
GROUP BY day, u.team, coalesce(k.id, u.key_name), u.requested_model;
--> statement-breakpoint
CREATE VIEW `spend_by_tag` AS
SELECT strftime('%Y-%m-%d', u.created_at / 1000, 'unixepoch') AS day,
       t.value AS tag,
       u.team AS team,
       count(*) AS requests,
       sum(u.input_tokens) AS input_tokens,
       sum(u.output_tokens) AS output_tokens,
       sum(u.cost_micros) AS cost_micros
FROM usage u, json_each(u.tags) t
GROUP BY day, t.value, u.team;
--> statement-breakpoint
CREATE VIEW `denials` AS
SELECT u.request_id AS request_id,
       u.created_at AS created_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', u.created_at / 1000, 'unixepoch') AS at,
       u.endpoint AS endpoint,
       u.team AS team,
       u.key_name AS key_name,
       u.requested_model AS model,
       u.status AS status,
       u.outcome AS outcome,
       u.error_class AS reason,
       u.decision_id AS decision_id,
       u.policy_revision AS policy_revision
FROM usage u
-- Refused by the gateway before any upstream attempt: a deny (whatever status the policy chose,
-- so any row with a decision), a key's model list, a rate limit, a budget, a failing policy.
WHERE u.attempts = 0 AND u.status >= 400
  AND (u.outcome IN ('forbidden', 'rate_limited', 'budget_exceeded', 'policy_error') OR u.decision_id IS NOT NULL);
