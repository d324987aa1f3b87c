CREATE TABLE `responses` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_key` text NOT NULL,
	`team` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`input_items` text NOT NULL,
	`context` text NOT NULL,
	`response` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `responses_expires_at` ON `responses` (`expires_at`);