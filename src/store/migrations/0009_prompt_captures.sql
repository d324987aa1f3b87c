CREATE TABLE `prompt_captures` (
	`request_id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`request` text NOT NULL,
	`response` text,
	`truncated` integer DEFAULT false NOT NULL,
	`redacted` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `prompt_captures_expires_at` ON `prompt_captures` (`expires_at`);