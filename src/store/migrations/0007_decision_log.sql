CREATE TABLE `decisions` (
	`decision_id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`policy_revision` text NOT NULL,
	`allowed` integer NOT NULL,
	`http_status` integer,
	`endpoint` text,
	`model` text,
	`key_name` text,
	`team` text,
	`input` text NOT NULL,
	`input_bytes` integer NOT NULL,
	`input_truncated` integer DEFAULT false NOT NULL,
	`result` text NOT NULL,
	`reasons` text,
	`failure` text,
	`eval_us` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `decisions_created_at` ON `decisions` (`created_at`);--> statement-breakpoint
CREATE INDEX `decisions_request` ON `decisions` (`request_id`);