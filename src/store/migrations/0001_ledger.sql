CREATE TABLE `reservations` (
	`request_id` text NOT NULL,
	`scope` text NOT NULL,
	`scope_id` text NOT NULL,
	`period` text NOT NULL,
	`period_start` integer NOT NULL,
	`reserved_micros` integer NOT NULL,
	`actual_micros` integer,
	`created_at` integer NOT NULL,
	`settled_at` integer,
	PRIMARY KEY(`request_id`, `scope`, `scope_id`, `period`)
);
--> statement-breakpoint
CREATE INDEX `reservations_open` ON `reservations` (`settled_at`,`created_at`);--> statement-breakpoint
CREATE TABLE `spend` (
	`scope` text NOT NULL,
	`scope_id` text NOT NULL,
	`period` text NOT NULL,
	`period_start` integer NOT NULL,
	`spent_micros` integer DEFAULT 0 NOT NULL,
	`reserved_micros` integer DEFAULT 0 NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`scope`, `scope_id`, `period`, `period_start`)
);
--> statement-breakpoint
CREATE TABLE `teams` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`budget_micros` integer,
	`budget_period` text,
	`rpm` integer,
	`tpm` integer,
	`allowed_models` text,
	`metadata` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`email` text,
	`team_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `virtual_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`prefix` text NOT NULL,
	`name` text NOT NULL,
	`team_id` text,
	`user_id` text,
	`tags` text,
	`allowed_models` text,
	`budget_micros` integer,
	`budget_period` text,
	`rpm` integer,
	`tpm` integer,
	`expires_at` integer,
	`revoked_at` integer,
	`rotated_to` text,
	`metadata` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `virtual_keys_hash_unique` ON `virtual_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `virtual_keys_team` ON `virtual_keys` (`team_id`);--> statement-breakpoint
CREATE INDEX `virtual_keys_updated` ON `virtual_keys` (`updated_at`);