CREATE TABLE `cache_entries` (
	`key` text PRIMARY KEY NOT NULL,
	`tenant` text NOT NULL,
	`team` text,
	`endpoint` text NOT NULL,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`public_model` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`last_hit_at` integer NOT NULL,
	`hits` integer DEFAULT 0 NOT NULL,
	`bytes` integer NOT NULL,
	`cost_micros` integer DEFAULT 0 NOT NULL,
	`answer` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cache_entries_expires_at` ON `cache_entries` (`expires_at`);--> statement-breakpoint
CREATE INDEX `cache_entries_last_hit_at` ON `cache_entries` (`last_hit_at`);--> statement-breakpoint
CREATE INDEX `cache_entries_team` ON `cache_entries` (`team`);--> statement-breakpoint
CREATE INDEX `cache_entries_public_model` ON `cache_entries` (`public_model`);--> statement-breakpoint
ALTER TABLE `usage` ADD `cache_hit` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `usage` ADD `saved_micros` integer DEFAULT 0 NOT NULL;