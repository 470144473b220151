ALTER TABLE `fetch_runs` MODIFY COLUMN `status` enum('RUNNING','SUCCESS','FAILED','ABORTED') NOT NULL;--> statement-breakpoint
ALTER TABLE `fetch_runs` ADD `heartbeat_at` datetime(3);