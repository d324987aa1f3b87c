CREATE TABLE `gateway_instances` (
	`id` text PRIMARY KEY NOT NULL,
	`beat` integer DEFAULT 0 NOT NULL,
	`started_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rate_windows` (
	`subject` text NOT NULL,
	`window_start` integer NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`tokens` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`subject`, `window_start`)
);
--> statement-breakpoint
ALTER TABLE `reservations` ADD `owner` text;--> statement-breakpoint
CREATE INDEX `reservations_owner` ON `reservations` (`owner`,`settled_at`);--> statement-breakpoint
ALTER TABLE `virtual_keys` ADD `change_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `virtual_keys_change_seq` ON `virtual_keys` (`change_seq`);