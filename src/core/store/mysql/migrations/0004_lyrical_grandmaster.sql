CREATE TABLE `run_progress` (
	`run_id` bigint unsigned NOT NULL,
	`progress_json` longtext NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `run_progress_run_id` PRIMARY KEY(`run_id`)
);
--> statement-breakpoint
ALTER TABLE `users` ADD `role` enum('user','admin') DEFAULT 'user' NOT NULL;--> statement-breakpoint
ALTER TABLE `run_progress` ADD CONSTRAINT `run_progress_run_id_fetch_runs_id_fk` FOREIGN KEY (`run_id`) REFERENCES `fetch_runs`(`id`) ON DELETE cascade ON UPDATE no action;