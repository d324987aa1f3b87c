CREATE TABLE `usage` (
	`request_id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`endpoint` text NOT NULL,
	`key_name` text,
	`key_hash` text,
	`team` text,
	`user` text,
	`tags` text,
	`requested_model` text NOT NULL,
	`provider` text,
	`served_model` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`status` integer NOT NULL,
	`outcome` text NOT NULL,
	`stream` integer DEFAULT false NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cached_input_tokens` integer DEFAULT 0 NOT NULL,
	`cache_write_tokens` integer DEFAULT 0 NOT NULL,
	`reasoning_tokens` integer DEFAULT 0 NOT NULL,
	`cost_micros` integer DEFAULT 0 NOT NULL,
	`price_version` text,
	`usage_source` text,
	`latency_ms` integer DEFAULT 0 NOT NULL,
	`ttft_ms` integer,
	`decision_id` text,
	`policy_revision` text,
	`error_class` text
);
--> statement-breakpoint
CREATE INDEX `usage_created_at` ON `usage` (`created_at`);--> statement-breakpoint
CREATE INDEX `usage_key_created` ON `usage` (`key_hash`,`created_at`);--> statement-breakpoint
CREATE INDEX `usage_team_created` ON `usage` (`team`,`created_at`);