-- Each stored response keeps its own turn and points at the one before it (previous_id);
-- rows written by 0005 keep their full context, and a chain read stops at them.
CREATE TABLE `__new_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_key` text NOT NULL,
	`team` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`previous_id` text,
	`depth` integer DEFAULT 1 NOT NULL,
	`bytes` integer DEFAULT 0 NOT NULL,
	`chain_bytes` integer DEFAULT 0 NOT NULL,
	`input_items` text NOT NULL,
	`context` text,
	`response` text NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_responses`("id", "owner_key", "team", "created_at", "expires_at", "previous_id", "depth", "bytes", "chain_bytes", "input_items", "context", "response")
SELECT "id", "owner_key", "team", "created_at", "expires_at", NULL, 1,
	length(CAST("input_items" AS BLOB)) + length(CAST("context" AS BLOB)) + length(CAST("response" AS BLOB)),
	length(CAST("input_items" AS BLOB)) + length(CAST("context" AS BLOB)) + length(CAST("response" AS BLOB)),
	"input_items", "context", "response" FROM `responses`;
--> statement-breakpoint
DROP TABLE `responses`;--> statement-breakpoint
ALTER TABLE `__new_responses` RENAME TO `responses`;--> statement-breakpoint
CREATE INDEX `responses_expires_at` ON `responses` (`expires_at`);--> statement-breakpoint
CREATE INDEX `responses_owner_created` ON `responses` (`owner_key`,`team`,`created_at`,`bytes`);--> statement-breakpoint
CREATE INDEX `responses_team_created` ON `responses` (`team`,`created_at`,`bytes`);
